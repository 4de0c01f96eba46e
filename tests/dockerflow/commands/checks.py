"""Checks the command tests point DOCKERFLOW_CHECKS / --checks at."""

from __future__ import annotations

import time

from dockerflow.checks import Error, Warning

NOT_CALLABLE = 42


def ok():
    return []


def warning():
    return [Warning("disk is getting full", id="tests.W001")]


def error():
    return [Error("the thing is down", id="tests.E001"), Warning("and slow", id="tests.W002")]


def slow():
    time.sleep(2)
    return []

from __future__ import annotations

import pytest
from django.core import checks as django_checks

from dockerflow import checks
from dockerflow.checks import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    WARNING,
    CheckMessage,
    Critical,
    Debug,
    Error,
    Info,
    Warning,
    level_to_text,
)


def test_levels_are_the_logging_levels():
    assert (DEBUG, INFO, WARNING, ERROR, CRITICAL) == (10, 20, 30, 40, 50)
    assert checks.STATUSES[0] == "ok"


@pytest.mark.parametrize(
    ("level", "text"),
    [
        (0, "ok"),
        (-5, "ok"),
        (5, "ok"),
        (10, "debug"),
        (15, "debug"),
        (20, "info"),
        (30, "warning"),
        (35, "warning"),
        (40, "error"),
        (45, "error"),
        (50, "critical"),
        (99, "critical"),
    ],
)
def test_level_to_text_maps_to_the_nearest_level_at_or_below(level, text):
    assert level_to_text(level) == text


@pytest.mark.parametrize(
    ("cls", "level"), [(Debug, 10), (Info, 20), (Warning, 30), (Error, 40), (Critical, 50)]
)
def test_subclasses_fix_the_level_and_take_djangos_arguments(cls, level):
    message = cls("broken", "fix it", "obj", "app.E001")
    assert (message.level, message.msg, message.hint, message.obj, message.id) == (
        level,
        "broken",
        "fix it",
        "obj",
        "app.E001",
    )
    assert message.is_serious() is (level >= ERROR)
    assert message.is_serious(WARNING) is (level >= WARNING)


def test_check_message_takes_a_level_after_msg_like_python_dockerflow():
    message = CheckMessage("custom", 25, id="x.I1")
    assert message.level == 25
    assert level_to_text(message.level) == "info"


def test_equality_compares_type_and_every_field():
    assert Error("a", id="x") == Error("a", id="x")
    assert Error("a", id="x") != Error("a", id="y")
    assert Error("a", id="x") != Critical("a", id="x")
    assert Error("a", id="x") != django_checks.Error("a", id="x")
    assert Error("a") != "a"


def test_messages_are_not_hashable_because_they_are_mutable():
    with pytest.raises(TypeError):
        hash(Error("a"))


def test_str_and_repr():
    assert str(Error("broken")) == "?: broken"
    assert str(Error("broken", hint="restart", obj="db", id="x.E1")) == (
        "db: (x.E1) broken\n\tHINT: restart"
    )
    assert repr(Info("hi", id="x.I1")) == (
        "<Info: level=20, msg='hi', hint=None, obj=None, id='x.I1'>"
    )

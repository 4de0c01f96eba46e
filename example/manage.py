#!/usr/bin/env python
"""Django's command-line utility for the example service (configuration ``Dev`` by default)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
    os.environ.setdefault("DJANGO_CONFIGURATION", "Dev")
    from dockerflow_settings.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

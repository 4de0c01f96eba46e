#!/usr/bin/env python
"""Command-line utility of the symbol server (Localdev unless told otherwise)."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symbolserver.settings")
    os.environ.setdefault("DJANGO_CONFIGURATION", "Localdev")
    from configurations.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

"""The ``dockerflow_*`` commands' exit codes and output helpers, at their documented path.

They live in ``dockerflow.cli.conventions``, with the rest of the build-time tooling;
this module keeps the import path the API reference gives.
"""

from dockerflow.cli.conventions import (
    FAILED,
    INVALID_RESPONSE,
    OK,
    UNAVAILABLE,
    USAGE,
    command_error,
    render_table,
    to_json,
)

__all__ = [
    "FAILED",
    "INVALID_RESPONSE",
    "OK",
    "UNAVAILABLE",
    "USAGE",
    "command_error",
    "render_table",
    "to_json",
]

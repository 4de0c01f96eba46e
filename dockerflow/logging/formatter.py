"""The mozlog JSON formatter. Every record passes here, whichever library logged it, so
this is where secrets are masked and lines bounded (docs/security.rst)."""

from __future__ import annotations

import logging
import socket
from typing import Any, ClassVar, Literal

from dockerflow.logging import encoding
from dockerflow.logging.bound import MIN_LINE_SIZE, bounded_line
from dockerflow.logging.encoding import clean, is_plain, is_secret_key, safe_repr
from dockerflow.logging.traceback import safer_format_traceback
from dockerflow.logging.tracing import current_trace_ids
from dockerflow.masking import mask, mask_text

#: The mozlog ``Logger`` field when neither the handler nor the formatter names one.
DEFAULT_LOGGER_NAME = "Dockerflow"

# Every attribute a LogRecord has of its own (taskName only exists on 3.12+), those the
# logging machinery adds later (message, asctime), the one MozlogHandler sets, and
# uvicorn's color_message (the message again, with terminal colour codes).
_STANDARD_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))).union(
    ("message", "asctime", "taskName", "logger_name", "color_message")
)
# Celery's "received", "succeeded" and failure lines carry the task's arguments here.
_TASK_DATA = "data"
_TASK_ARGUMENTS = ("args", "kwargs")


class MozlogFormatter(logging.Formatter):
    """Formats each record as one line of mozlog 2.0 JSON of at most ``max_line_size``
    bytes (default ``MAX_LINE_SIZE``), secrets masked; Celery's task arguments only
    with ``log_task_arguments`` (default ``LOG_TASK_ARGUMENTS``). See
    docs/logging.rst. Formatting never fails because of a value.
    """

    LOGGING_FORMAT_VERSION: ClassVar[str] = "2.0"

    # Python logging level -> syslog severity. Other levels take the severity of the
    # nearest level below them (25 is INFO, 45 ERROR); anything below DEBUG is DEBUG.
    SYSLOG_LEVEL_MAP: ClassVar[dict[int, int]] = {50: 2, 40: 3, 30: 4, 20: 6, 10: 7}
    DEFAULT_SYSLOG_LEVEL: ClassVar[int] = 7

    EXCLUDED_LOGRECORD_ATTRS: ClassVar[frozenset[str]] = _STANDARD_RECORD_ATTRS

    #: The default bound on a line, in bytes of UTF-8.
    MAX_LINE_SIZE: ClassVar[int] = 64 * 1024
    #: Whether Celery's task ``args``/``kwargs`` are logged by default (masked by name).
    LOG_TASK_ARGUMENTS: ClassVar[bool] = False

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        logger_name: str = DEFAULT_LOGGER_NAME,
        *,
        validate: bool = True,
        defaults: dict[str, Any] | None = None,
        max_line_size: int | None = None,
        log_task_arguments: bool | None = None,
    ) -> None:
        super().__init__(
            fmt=fmt, datefmt=datefmt, style=style, validate=validate, defaults=defaults
        )
        self.logger_name = logger_name
        self.hostname = socket.gethostname()
        size = self.MAX_LINE_SIZE if max_line_size is None else max_line_size
        if type(size) is not int or size < MIN_LINE_SIZE:
            raise ValueError(
                f"max_line_size={size!r} is not valid: expected a number of bytes, at least"
                f" {MIN_LINE_SIZE} (default {MozlogFormatter.MAX_LINE_SIZE})"
            )
        self.max_line_size = size
        self.log_task_arguments = (
            self.LOG_TASK_ARGUMENTS if log_task_arguments is None else log_task_arguments
        )

    def is_value_jsonlike(self, value: str) -> bool:
        """Whether a message looks like a JSON object (it then isn't repeated as ``msg``)."""
        return value.startswith("{") and value.endswith("}")

    def _mask_fields(self, fields: dict[Any, Any], task_data: bool) -> None:
        for key, value in fields.items():
            if type(key) is str and is_secret_key(key):
                fields[key] = mask(value)
            elif task_data and key == _TASK_DATA and type(value) is dict:
                kept = {n: v for n, v in value.items() if n not in _TASK_ARGUMENTS}
                data = clean(value if self.log_task_arguments else kept)
                fields[key] = {n: mask_text(v) if type(v) is str else v for n, v in data.items()}
            elif not is_plain(value):
                fields[key] = clean(value)

    def convert_record(self, record: logging.LogRecord) -> dict[str, Any]:
        """The mozlog dict for ``record`` (what :meth:`format` serialises), masked."""
        attrs = record.__dict__
        excluded = self.EXCLUDED_LOGRECORD_ATTRS
        fields = {k: v for k, v in attrs.items() if k not in excluded}
        name = record.name
        task_data = _TASK_DATA in fields and type(name) is str and name.startswith("celery.")
        # Only extras with a name not yet seen, or a value that is not a plain str, int,
        # bool or None, need a closer look.
        if fields and not is_plain(fields):
            try:
                self._mask_fields(fields, task_data)
            except Exception:  # a key whose __eq__ raises: the slow, safe way
                fields = clean(fields)

        try:
            message = record.getMessage()
        except Exception as exc:
            # Arguments that don't match the format: keep both rather than lose the record.
            message = f"{safe_repr(record.msg)} % {safe_repr(record.args)}"
            fields["msg_error"] = safe_repr(exc)
        if type(message) is not str:
            message = str.__str__(message)  # a str subclass's methods may raise
        exc_info = record.exc_info
        failed = bool(exc_info) and exc_info[1] is not None  # type: ignore[index]
        if failed or task_data:
            # Exception texts quote user input (a request body, a DSN), and Celery its
            # task's return value: masked as a driver's error text is.
            message = mask_text(message)
        if message and not self.is_value_jsonlike(message):
            fields["msg"] = message
        if failed:
            fields["error"] = mask_text(safe_repr(exc_info[1]))  # type: ignore[index]
            fields["traceback"] = mask_text(safer_format_traceback(*exc_info))  # type: ignore[misc]
        if record.stack_info:
            fields["stack"] = record.stack_info
        trace_ids = current_trace_ids()
        if trace_ids is not None:
            # setdefault: ids a record already carries (e.g. from a QueueHandler's
            # thread, which has no span of its own) are the ones that are right.
            fields.setdefault("trace_id", trace_ids[0])
            fields.setdefault("span_id", trace_ids[1])
        severity = self.SYSLOG_LEVEL_MAP.get(record.levelno)
        if severity is None:
            below = [level for level in self.SYSLOG_LEVEL_MAP if level <= record.levelno]
            severity = self.SYSLOG_LEVEL_MAP[max(below)] if below else self.DEFAULT_SYSLOG_LEVEL
        return {
            "Timestamp": int(record.created * 1e9),
            "Type": name if type(name) is str else safe_repr(name),
            "Logger": attrs.get("logger_name", self.logger_name),
            "Hostname": self.hostname,
            "EnvVersion": self.LOGGING_FORMAT_VERSION,
            "Severity": severity,
            "Pid": record.process,
            "Fields": fields,
        }

    def format(self, record: logging.LogRecord) -> str:
        """One line of mozlog JSON for ``record``, cut to ``max_line_size`` if longer."""
        converted = self.convert_record(record)
        line = encoding.dumps(converted)
        size = self.max_line_size
        # Only a line of over a quarter of the bound can be over it in UTF-8.
        if len(line) > size // 4 and len(line.encode("utf-8", "surrogatepass")) > size:
            line = bounded_line(converted, size)
        return line


#: The name python-dockerflow used first; the same class, without a deprecation warning.
JsonLogFormatter = MozlogFormatter

"""The mozlog JSON formatter."""

from __future__ import annotations

import logging
import socket
from typing import Any, ClassVar, Literal

from dockerflow.logging import encoding
from dockerflow.logging.encoding import safe_repr
from dockerflow.logging.traceback import safer_format_traceback
from dockerflow.logging.tracing import current_trace_ids

LOGGING_FORMAT_VERSION = "2.0"

# Every attribute a LogRecord has of its own (taskName only exists on 3.12+), plus those
# the logging machinery adds later (message, asctime) and the one MozlogHandler sets.
_STANDARD_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
    "logger_name",
}
_MAX_CACHED_HEADS = 256


class MozlogFormatter(logging.Formatter):
    """Formats each record as one line of mozlog 2.0 JSON.

    ``Fields`` holds the record's ``extra`` attributes, ``msg`` (the formatted message,
    left out when empty or itself a JSON object), and for exceptions ``error`` and
    ``traceback``, for ``stack_info`` ``stack``. Formatting never fails because of a
    value: see :mod:`dockerflow.logging.encoding`.
    """

    LOGGING_FORMAT_VERSION: ClassVar[str] = LOGGING_FORMAT_VERSION

    # Python logging level -> syslog severity. Other levels take the severity of the
    # nearest level below them (25 is INFO, 45 ERROR); anything below DEBUG is DEBUG.
    SYSLOG_LEVEL_MAP: ClassVar[dict[int, int]] = {
        logging.CRITICAL: 2,
        logging.ERROR: 3,
        logging.WARNING: 4,
        logging.INFO: 6,
        logging.DEBUG: 7,
    }
    DEFAULT_SYSLOG_LEVEL: ClassVar[int] = 7

    EXCLUDED_LOGRECORD_ATTRS: ClassVar[frozenset[str]] = _STANDARD_RECORD_ATTRS

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        logger_name: str = "Dockerflow",
        *,
        validate: bool = True,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            fmt=fmt, datefmt=datefmt, style=style, validate=validate, defaults=defaults
        )
        self.logger_name = logger_name
        self.hostname = socket.gethostname()
        self._heads: dict[tuple[str, str, int, int], str] = {}
        self._heads_hostname: object = None
        self._heads_version: object = None
        # format() takes its cached-envelope path only when convert_record() is ours.
        self._convert_is_overridden = (
            type(self).convert_record is not MozlogFormatter.convert_record
        )

    def is_value_jsonlike(self, value: str) -> bool:
        """Whether a message looks like a JSON object (it then isn't repeated as ``msg``)."""
        return value.startswith("{") and value.endswith("}")

    def _nearest_severity(self, levelno: int) -> int:
        level_map = self.SYSLOG_LEVEL_MAP
        below = [level for level in level_map if level <= levelno]
        return level_map[max(below)] if below else self.DEFAULT_SYSLOG_LEVEL

    def convert_record(self, record: logging.LogRecord) -> dict[str, Any]:
        """The mozlog dict for ``record`` (what :meth:`format` serialises)."""
        attrs = record.__dict__
        return self._envelope(record, attrs, self._fields(record, attrs))

    def _fields(self, record: logging.LogRecord, attrs: dict[str, Any]) -> dict[str, Any]:
        excluded = self.EXCLUDED_LOGRECORD_ATTRS
        fields = {k: v for k, v in attrs.items() if k not in excluded}

        try:
            message = record.getMessage()
        except Exception as exc:
            # Arguments that don't match the format: keep both rather than lose the record.
            message = f"{safe_repr(record.msg)} % {safe_repr(record.args)}"
            fields["msg_error"] = safe_repr(exc)
        if type(message) is not str:
            message = str.__str__(message)  # a str subclass's methods may raise
        if message and not self.is_value_jsonlike(message):
            fields["msg"] = message

        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None:
            fields["error"] = safe_repr(exc_info[1])
            fields["traceback"] = safer_format_traceback(*exc_info)
        if record.stack_info:
            fields["stack"] = record.stack_info
        trace_ids = current_trace_ids()
        if trace_ids is not None:
            # setdefault: ids a record already carries (e.g. from a QueueHandler's
            # thread, which has no span of its own) are the ones that are right.
            fields.setdefault("trace_id", trace_ids[0])
            fields.setdefault("span_id", trace_ids[1])
        return fields

    def _severity(self, levelno: int) -> int:
        severity = self.SYSLOG_LEVEL_MAP.get(levelno)
        return self._nearest_severity(levelno) if severity is None else severity

    def _envelope(
        self, record: logging.LogRecord, attrs: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        name = record.name
        return {
            "Timestamp": int(record.created * 1e9),
            "Type": name if type(name) is str else safe_repr(name),
            "Logger": attrs.get("logger_name", self.logger_name),
            "Hostname": self.hostname,
            "EnvVersion": self.LOGGING_FORMAT_VERSION,
            "Severity": self._severity(record.levelno),
            "Pid": record.process,
            "Fields": fields,
        }

    def _head(self, record: logging.LogRecord, attrs: dict[str, Any]) -> str:
        """The envelope between ``Timestamp`` and ``Fields``, encoded: ``,"Type":...,"Fields":``.

        Cached: the same few loggers, levels and one pid give nearly every record's.
        Only exact str and int parts make a cache key, so ``1``, ``1.0`` and ``True``
        (equal as keys, different in JSON) never share an entry.
        """
        name = record.name
        logger = attrs.get("logger_name", self.logger_name)
        # Keyed by severity, not level: a SYSLOG_LEVEL_MAP changed at run time then
        # gives new entries instead of stale ones.
        severity = self._severity(record.levelno)
        pid = record.process
        key = (name, logger, severity, pid)
        cacheable = (
            type(name) is str and type(logger) is str and type(severity) is int and type(pid) is int
        )
        heads = self._heads
        if self.hostname is not self._heads_hostname or (
            self.LOGGING_FORMAT_VERSION is not self._heads_version
        ):
            heads.clear()  # attributes reassigned since the entries were made
            self._heads_hostname = self.hostname
            self._heads_version = self.LOGGING_FORMAT_VERSION
        elif cacheable:
            head = heads.get(key)
            if head is not None:
                return head
        envelope = self._envelope(record, attrs, {})
        del envelope["Timestamp"], envelope["Fields"]
        text = encoding.dumps(envelope)
        head = f',{text[1:-1]},"Fields":'
        if cacheable:
            if len(heads) >= _MAX_CACHED_HEADS:
                heads.clear()  # e.g. a logger name per request: stay bounded
            heads[key] = head
        return head

    def format(self, record: logging.LogRecord) -> str:
        """One line of mozlog JSON for ``record``."""
        if self._convert_is_overridden:
            return encoding.dumps(self.convert_record(record))
        attrs = record.__dict__
        fields = self._fields(record, attrs)
        # The envelope's other values change little from record to record: its
        # encoding is cached (see _head) and only Timestamp and Fields are encoded
        # per record. The same bytes as encoding convert_record()'s dict whole.
        body = encoding.dumps_plain(fields)
        if body is None:
            # A value that needs cleaning (NaN, a cycle...): encode the whole envelope
            # so the cleaning is exactly what convert_record()'s dict would get.
            return encoding.dumps(self._envelope(record, attrs, fields))
        return f'{{"Timestamp":{int(record.created * 1e9)}{self._head(record, attrs)}{body}}}'


#: The name python-dockerflow used first; the same class, without a deprecation warning.
JsonLogFormatter = MozlogFormatter

"""The peer of our orjson formatter: python-json-logger's ``OrjsonFormatter``.

Configured to write what a mozlog line carries (time, logger name, level, process id,
host name, EnvVersion, message and the extras), and also with its default fields
(message and extras only), for reference. Used by ``workload.py`` (the ``make bench``
rows) and ``bench_formatter.py``.
"""

from __future__ import annotations

import logging
import socket


def peer_formatters() -> tuple[dict[str, logging.Formatter], str | None]:
    """python-json-logger's OrjsonFormatter: as a mozlog line, and with its defaults."""
    try:
        from pythonjsonlogger.orjson import OrjsonFormatter
    except ImportError as exc:  # it raises at import without orjson, too
        return {}, f"python-json-logger's OrjsonFormatter cannot be imported ({exc})"
    # What a mozlog line carries: time, logger, level, pid, host, EnvVersion, message.
    envelope = OrjsonFormatter(
        ["name", "levelname", "process", "message"],
        timestamp=True,
        static_fields={"hostname": socket.gethostname(), "EnvVersion": "2.0"},
    )
    return {"peer_orjson": envelope, "peer_orjson_default": OrjsonFormatter()}, None

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from dockerflow.logging import encoding

ENVELOPE = {
    "Timestamp": int,
    "Type": str,
    "Logger": str,
    "Hostname": str,
    "EnvVersion": str,
    "Severity": int,
    "Pid": int,
    "Fields": dict,
}


def _reject_constant(name: str) -> None:
    raise ValueError(f"not JSON: bare {name}")


def parse_line(line: str) -> dict[str, Any]:
    """Parse one formatted record as strictly as a JSON consumer would."""
    assert "\n" not in line
    assert "\r" not in line
    assert line.isascii() or encoding.dumps is not encoding.dumps_stdlib
    line.encode("utf-8")  # no lone surrogates can reach the stream
    data = json.loads(line, parse_constant=_reject_constant)
    assert list(data) == list(ENVELOPE)
    for key, kind in ENVELOPE.items():
        assert type(data[key]) is kind, (key, data[key])
    assert data["EnvVersion"] == "2.0"
    return data


def make_record(
    msg: object = "",
    args: Any = (),
    *,
    name: str = "tests.logging",
    level: int = logging.INFO,
    extra: dict[Any, Any] | None = None,
    exc_info: Any = None,
    sinfo: str | None = None,
) -> logging.LogRecord:
    """A record built the way Logger._log builds one."""
    logger = logging.getLogger(name)
    return logger.makeRecord(name, level, __file__, 10, msg, args, exc_info, "func", extra, sinfo)


def use_encoder(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make ``name`` ("stdlib" or "orjson") the encoder behind every formatter."""
    if name == "orjson" and encoding.orjson is None:
        pytest.skip("orjson is not installed")
    dumps = encoding.dumps_stdlib if name == "stdlib" else encoding.dumps_orjson
    monkeypatch.setattr(encoding, "dumps", dumps)


@pytest.fixture(params=["stdlib", "orjson"])
def encoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs the test once with each JSON encoder."""
    use_encoder(monkeypatch, request.param)
    return request.param

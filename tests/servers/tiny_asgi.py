"""An ASGI application with no framework: ``/`` answers 200 with the worker's pid."""

from __future__ import annotations

import json
import os
from typing import Any


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    body = json.dumps({"pid": os.getpid()}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})

"""A Sentry endpoint on loopback: receives the SDK's envelopes and keeps them for tests."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli

WAIT_SECONDS = 30


@dataclass
class Item:
    """One envelope item: its type ("event", "transaction", ...), its JSON payload, the
    header of its envelope, and the whole decoded envelope (to search for secrets)."""

    type: str
    payload: Any
    envelope_header: dict[str, Any]
    envelope: bytes


def parse_envelope(body: bytes) -> list[Item]:
    first, _, rest = body.partition(b"\n")
    envelope_header = json.loads(first)
    items = []
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        header = json.loads(line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = None  # attachments, profiles... nothing the tests read
        items.append(Item(header.get("type", ""), parsed, envelope_header, body))
    return items


class Receiver:
    def __init__(self) -> None:
        self.items: list[Item] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def dsn(self) -> str:
        return f"http://public-key@127.0.0.1:{self.port}/1"

    def of_type(self, kind: str) -> list[Any]:
        return [item.payload for item in self.items_of_type(kind)]

    def items_of_type(self, kind: str) -> list[Item]:
        with self.lock:
            return [item for item in self.items if item.type == kind]

    def wait_for_item(self, predicate: Callable[[Any], bool], kind: str, what: str) -> Item:
        """The first item of type ``kind`` whose payload ``predicate`` holds for."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            found = [item for item in self.items_of_type(kind) if predicate(item.payload)]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no {kind} {what} within {WAIT_SECONDS}s; got {self.items}")

    def wait_for(self, predicate: Callable[[Any], bool], kind: str, what: str) -> Any:
        """The payload of the first item of type ``kind`` that ``predicate`` holds for."""
        return self.wait_for_item(predicate, kind, what).payload

    def envelopes(self) -> list[bytes]:
        with self.lock:
            return list(dict.fromkeys(item.envelope for item in self.items))


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":
                body = brotli.decompress(body)
            items = parse_envelope(body)
            with receiver.lock:
                receiver.items.extend(items)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test's output stays the test's

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(timeout=5)

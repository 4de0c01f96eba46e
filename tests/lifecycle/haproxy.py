"""A real HAProxy (Debian's package) in front of example servers on loopback ports."""

from __future__ import annotations

import csv
import time
from collections.abc import Mapping
from pathlib import Path

from tests.servers.process import ServerProcess, http_get, server_env

BACKEND = "example"

# Health checks as a production load balancer does them: GET /__lbheartbeat__ every
# `inter`, out after `fall` failures in a row, back after `rise` successes. HAProxy's
# defaults otherwise (3 retries on the same server, no redispatch to another one).
# X-Forwarded-Proto: as a load balancer that ends TLS (the example redirects plain HTTP).
CONFIG = """\
global
    maxconn 512
    log stdout format raw local0 notice

defaults
    mode http
    log global
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend web
    bind 127.0.0.1:{port}
    http-request set-header X-Forwarded-Proto https
    default_backend {backend}

backend {backend}
    option httpchk GET /__lbheartbeat__
    http-check expect status 200
    default-server check inter {inter_ms}ms fall {fall} rise {rise}
{servers}

frontend stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"""


class HAProxy:
    """``haproxy -db`` (foreground) balancing ``servers`` (name -> port) on ``port``."""

    def __init__(
        self,
        *,
        binary: str,
        port: int,
        stats_port: int,
        servers: Mapping[str, int],
        logdir: Path,
        inter_ms: int = 200,
        fall: int = 2,
        rise: int = 2,
    ) -> None:
        self.port = port
        self.stats_port = stats_port
        self.names = list(servers)
        self.config = logdir / "haproxy.cfg"
        self.config.write_text(
            CONFIG.format(
                port=port,
                stats_port=stats_port,
                backend=BACKEND,
                inter_ms=inter_ms,
                fall=fall,
                rise=rise,
                servers="\n".join(
                    f"    server {name} 127.0.0.1:{server_port}"
                    for name, server_port in servers.items()
                ),
            )
        )
        self.process = ServerProcess(
            [binary, "-db", "-f", str(self.config)],
            port=stats_port,
            env=server_env({}),
            logdir=logdir,
            name="haproxy",
        )
        try:
            self.process.wait_ready("/stats", timeout=10)
        except BaseException:
            self.stop()
            raise

    def states(self) -> dict[str, str]:
        """HAProxy's view of each server: ``UP``, ``DOWN``, ``UP 1/2`` (going down)..."""
        text = http_get(self.stats_port, "/stats;csv", timeout=5).body.decode()
        rows = csv.DictReader(text.removeprefix("# ").splitlines())
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == BACKEND and row["svname"] in self.names
        }

    def wait_for(self, name: str, status: str, timeout: float) -> float:
        """Seconds until HAProxy says ``status`` for ``name`` (AssertionError after ``timeout``)."""
        started = time.monotonic()
        while (state := self.states().get(name)) != status:
            if time.monotonic() - started > timeout:
                raise AssertionError(f"HAProxy still says {name} is {state!r}\n{self.process}")
            time.sleep(0.02)
        return time.monotonic() - started

    def stop(self) -> None:
        self.process.stop()

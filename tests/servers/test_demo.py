"""``make demo``'s script: prepares the example, serves it, prints the URLs, stops on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers.process import REPO_ROOT, parse_mozlog, port_is_free, server_env

pytestmark = pytest.mark.servers

DEMO = REPO_ROOT / "tools" / "demo.py"


def test_demo_serves_prints_urls_and_stops_on_sigint(tmp_path: Path, free_port: int) -> None:
    env = server_env(
        {
            "PORT": str(free_port),
            # Files under tmp_path, not in the checkout.
            "DJANGO_BASE_DIR": str(tmp_path),
            "DJANGO_STATIC_ROOT": str(tmp_path / "staticfiles"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    demo = subprocess.Popen(
        [sys.executable, str(DEMO)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(demo.stdout or []), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{free_port}"
    try:
        deadline = time.monotonic() + 60
        while f"    {base}/__lbheartbeat__\n" not in lines:
            assert demo.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        urls = [line.strip() for line in lines if line.startswith(f"    {base}")]
        assert urls == [
            f"{base}/__version__",
            f"{base}/__heartbeat__",
            f"{base}/__lbheartbeat__",
            f"{base}/",
        ]
        for url in urls[:3]:
            with urllib.request.urlopen(url, timeout=10) as answer:
                assert answer.status == 200
        with urllib.request.urlopen(urls[0], timeout=10) as answer:
            version = answer.read()
        assert json.loads((tmp_path / "version.json").read_text()) == json.loads(version)
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=20) in (0, 130)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        reader.join(timeout=5)
        if demo.stdout:
            demo.stdout.close()
    output = "".join(lines)
    assert "Traceback" not in output
    assert "DJANGO_SECRET_KEY=<random" in output
    assert "DJANGO_SECURE_SSL_REDIRECT=off" in output
    assert port_is_free(free_port)
    # The server's own output (between the demo's lines) is mozlog.
    served = [line for line in lines if line.startswith("{")]
    assert served
    for line in served:
        parse_mozlog(line)
    assert os.path.exists(tmp_path / "staticfiles" / "staticfiles.json")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(version)["commit"] == head.stdout.strip()  # written from git

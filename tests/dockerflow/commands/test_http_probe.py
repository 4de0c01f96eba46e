"""dockerflow.cli.http_probe: URL rules and how each kind of answer is judged."""

from __future__ import annotations

import pytest

from dockerflow.cli import http_probe
from dockerflow.cli.http_probe import ProbeURLError, endpoint_url, probe


@pytest.mark.parametrize(
    ("url", "lb", "expected"),
    [
        ("http://h:8000", False, ("http://h:8000/__heartbeat__", False)),
        ("h:8000", True, ("http://h:8000/__lbheartbeat__", True)),
        ("https://h/app/", False, ("https://h/app/__heartbeat__", False)),
        ("http://h/app?x=1#frag", False, ("http://h/app/__heartbeat__?x=1", False)),
        ("http://h/__heartbeat__", False, ("http://h/__heartbeat__", False)),
        ("http://h/p/__lbheartbeat__/", False, ("http://h/p/__lbheartbeat__/", True)),
        ("http://h/__lbheartbeat__", True, ("http://h/__lbheartbeat__", True)),
        ("  http://[::1]:9/  ", False, ("http://[::1]:9/__heartbeat__", False)),
    ],
)
def test_endpoint_url(url, lb, expected):
    assert endpoint_url(url, lb=lb) == expected


@pytest.mark.parametrize(
    ("url", "lb", "message"),
    [
        ("ftp://h/", False, "is not an http(s) URL"),
        ("http://", False, "is not an http(s) URL"),
        ("http://h:notaport/", False, "is not an http(s) URL"),
        ("http://h:0/", False, "is not an http(s) URL"),
        ("http://u:p@h/", False, "must not contain a user name or password"),
        ("http://h/__heartbeat__", True, "--lb conflicts with --url"),
    ],
)
def test_endpoint_url_rejects(url, lb, message):
    with pytest.raises(ProbeURLError) as info:
        endpoint_url(url, lb=lb)
    assert message in str(info.value)
    assert "u:p@" not in str(info.value)


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (200, {"status": "ok"}, http_probe.HEALTHY),
        (200, {"status": "info", "checks": {}}, http_probe.HEALTHY),
        (200, {"status": "critical"}, http_probe.UNHEALTHY),
        (503, {"status": "error"}, http_probe.UNHEALTHY),
        (500, b"<h1>Server Error</h1>", http_probe.UNHEALTHY),
        (502, {"status": "ok"}, http_probe.UNHEALTHY),
        (200, {"status": "degraded"}, http_probe.INVALID),
        (200, [1, 2], http_probe.INVALID),
        (404, b"not here", http_probe.INVALID),
    ],
)
def test_heartbeat_answers(http_server, status, body, outcome):
    http_server.answer("/__heartbeat__", status, body)
    result = probe(http_server.url, timeout=2)
    assert (result.outcome, result.http_status) == (outcome, status)
    assert (result.error is None) == (outcome == http_probe.HEALTHY)


def test_lbheartbeat_judges_status_only(http_server):
    http_server.answer("/__lbheartbeat__", 200, b"")
    assert probe(http_server.url, lb=True, timeout=2).outcome == http_probe.HEALTHY
    http_server.answer("/__lbheartbeat__", 503, b"")
    assert probe(http_server.url, lb=True, timeout=2).outcome == http_probe.UNHEALTHY


def test_redirect_is_not_followed(http_server):
    http_server.answer("/__heartbeat__", 301, b"", Location="https://elsewhere/__heartbeat__")
    result = probe(http_server.url, timeout=2)
    assert result.outcome == http_probe.INVALID
    assert (
        result.error == "unexpected HTTP 301 redirect (not followed); pass the final URL to --url"
    )


def test_not_http_and_hang_up(http_server):
    http_server.answer("/__heartbeat__", 0, b"SSH-2.0-OpenSSH\r\n\r\n")
    garbage = probe(http_server.url, timeout=2)
    assert garbage.outcome == http_probe.INVALID
    assert garbage.error.startswith("not an HTTP answer (BadStatusLine")

    http_server.answer("/__heartbeat__", -1)
    hung_up = probe(http_server.url, timeout=2)
    assert hung_up.outcome == http_probe.UNREACHABLE
    assert hung_up.error.startswith("RemoteDisconnected")


def test_whole_probe_is_bounded_by_the_timeout(http_server):
    http_server.answer("/__heartbeat__", 200, {"status": "ok"})
    http_server.delay = 1.5
    result = probe(http_server.url, timeout=0.3)
    assert result.outcome == http_probe.UNREACHABLE
    assert result.error == "no complete answer within 0.3 s"
    assert result.elapsed_ms < 1200  # generous margin on a loaded machine


def test_unknown_host_is_unreachable():
    result = probe("http://nonexistent.invalid:8000", timeout=2)
    assert result.outcome == http_probe.UNREACHABLE
    assert result.response is None


def test_proxy_environment_is_ignored(http_server, monkeypatch, free_port):
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port}")
    http_server.answer("/__heartbeat__", 200, {"status": "ok"})
    assert probe(http_server.url, timeout=2).outcome == http_probe.HEALTHY


def test_socket_timeout_winning_the_race_reads_like_an_abandoned_probe(monkeypatch):
    # The socket's own timeout can fire just before join() gives up; force that order.
    def fetch(url, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(http_probe, "_fetch", fetch)
    result = probe("http://127.0.0.1:1", timeout=0.2)
    assert result.outcome == http_probe.UNREACHABLE
    assert result.error == "no complete answer within 0.2 s"

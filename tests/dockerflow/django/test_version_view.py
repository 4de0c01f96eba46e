"""/__version__ and the cached version.json reader."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

import dockerflow.version
from dockerflow.django import views
from dockerflow.version import VersionFileError, get_version
from tests.dockerflow.django.test_request_summary import only_summary

VERSION = {
    "source": "https://github.com/mozilla/x",
    "version": "v1.2",
    "commit": "abc",
    "build": "b",
}


@pytest.fixture
def root(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    return tmp_path


def count_loads(monkeypatch) -> list[tuple]:
    """Record each time version.json is actually read."""
    loads: list[tuple] = []
    real_read = dockerflow.version.read_small_file
    monkeypatch.setattr(
        dockerflow.version, "read_small_file", lambda *a: loads.append(a) or real_read(*a)
    )
    return loads


def write(root, content: str | bytes) -> None:
    data = content.encode() if isinstance(content, str) else content
    (root / "version.json").write_bytes(data)


def error_logs(caplog):
    return [r for r in caplog.records if r.name == "dockerflow.django"]


def assert_json_response(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<html" not in response.content.lower()
    return json.loads(response.content)


@pytest.mark.parametrize("path", ["/__version__", "/__version__/"])
def test_version_served(client, root, caplog, path):
    write(root, json.dumps(VERSION))
    assert assert_json_response(client.get(path), 200) == VERSION
    assert only_summary(caplog).code == 200


def test_non_ascii_values_survive(client, root):
    write(root, json.dumps({"version": "ünï", "n": 1.5, "nested": {"a": [1, None]}}))
    assert client.get("/__version__").json() == {
        "version": "ünï",
        "n": 1.5,
        "nested": {"a": [1, None]},
    }


def test_missing_is_a_json_404_without_error_log(client, root, caplog):
    body = assert_json_response(client.get("/__version__"), 404)
    assert body == {"error": "version.json not found"}
    assert error_logs(caplog) == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "is not valid JSON"),
        ("", "is not valid JSON"),
        ("[1, 2]", "must contain a JSON object, not a JSON array"),
        ('"v1"', "not a JSON string"),
        ("42", "not a JSON number"),
        ("null", "not a JSON null"),
        ("true", "not a JSON boolean"),
        (b'{"v": "\xff"}', "is not UTF-8 text"),
        (b"\xff\xfe{}", "is not UTF-8 text"),  # a UTF-16 byte order mark
        ("1" * 5000, "is not valid JSON"),  # beyond int-from-string digit limit
    ],
)
def test_unusable_file_is_a_json_500_and_one_error_line(client, root, caplog, content, reason):
    write(root, content)
    body = assert_json_response(client.get("/__version__"), 500)
    assert body["error"].startswith("version.json ")
    assert reason in body["error"]
    (logged,) = error_logs(caplog)
    assert logged.levelno == logging.ERROR
    assert str(root / "version.json") in logged.getMessage()
    assert reason in logged.getMessage()
    assert only_summary(caplog).code == 500


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"version": NaN}', "NaN is not a JSON number"),
        ('{"version": Infinity}', "Infinity is not a JSON number"),
        ('{"version": 1e999}', "the number 1e999 is too large for a float"),
        ('{"version": "\\ud800"}', "lone surrogate"),
    ],
)
def test_json_that_cannot_be_sent_back_is_a_500_naming_why(client, root, caplog, content, reason):
    # Before: NaN/Infinity/1e999 went out bare (invalid JSON); a lone surrogate made
    # the encoder fail on every request with no reason given.
    write(root, content)
    for _ in range(3):
        body = assert_json_response(client.get("/__version__"), 500)
        assert body["error"].startswith("version.json is not valid JSON (")
        assert reason in body["error"]
    assert len(error_logs(caplog)) == 3


def test_fifo_is_a_json_500_at_once(client, root, caplog):
    os.mkfifo(root / "version.json")  # no writer: reading it would block the worker
    started = time.monotonic()
    body = assert_json_response(client.get("/__version__"), 500)
    assert time.monotonic() - started < 2
    assert body == {"error": "version.json is not a regular file"}
    (logged,) = error_logs(caplog)
    assert str(root / "version.json") in logged.getMessage()


def test_directory_is_a_json_500(client, root, caplog):
    (root / "version.json").mkdir()
    body = assert_json_response(client.get("/__version__"), 500)
    assert body == {"error": "version.json is not a regular file"}
    assert len(error_logs(caplog)) == 1


def test_root_that_is_not_a_directory_is_a_json_500(client, tmp_path, settings, caplog):
    settings.BASE_DIR = tmp_path / "a-file"
    settings.BASE_DIR.write_text("")
    assert "cannot be read" in assert_json_response(client.get("/__version__"), 500)["error"]
    assert len(error_logs(caplog)) == 1


def test_file_parsed_once_then_only_on_change(client, root, monkeypatch):
    loads = count_loads(monkeypatch)
    write(root, json.dumps({"version": "1"}))
    for _ in range(3):
        assert client.get("/__version__").json() == {"version": "1"}
    assert len(loads) == 1

    # Same size, new contents, mtime forced forward: noticed.
    write(root, json.dumps({"version": "2"}))
    st = os.stat(root / "version.json")
    os.utime(root / "version.json", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert client.get("/__version__").json() == {"version": "2"}
    assert len(loads) == 2

    # Atomic replace (new inode), as a deploy does.
    (root / "new.json").write_text(json.dumps({"version": "3"}))
    os.replace(root / "new.json", root / "version.json")
    assert client.get("/__version__").json() == {"version": "3"}

    # Deleted, then recreated.
    (root / "version.json").unlink()
    assert client.get("/__version__").status_code == 404
    write(root, json.dumps({"version": "4"}))
    assert client.get("/__version__").json() == {"version": "4"}


def test_broken_file_logs_each_time_and_fixing_it_is_noticed(client, root, caplog):
    write(root, "{broken")
    assert client.get("/__version__").status_code == 500
    assert client.get("/__version__").status_code == 500
    assert len(error_logs(caplog)) == 2  # one line per failed request
    write(root, json.dumps(VERSION))
    assert client.get("/__version__").json() == VERSION


def test_file_vanishing_between_stat_and_open(root, monkeypatch):
    write(root, "{}")
    real_open = os.open

    def vanish(path, *args, **kwargs):
        os.unlink(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", vanish)
    assert get_version(root) is None


def test_version_file_error_carries_path_and_reason(root):
    write(root, "[]")
    with pytest.raises(VersionFileError) as info:
        get_version(root)
    assert info.value.path == str(root / "version.json")
    assert "array" in info.value.reason


def test_base_dir_unset_falls_back_to_app(client, settings, tmp_path, monkeypatch):
    del settings.BASE_DIR
    monkeypatch.setattr(views, "DEFAULT_ROOT", str(tmp_path))
    write(tmp_path, json.dumps({"version": "from /app"}))
    assert client.get("/__version__").json() == {"version": "from /app"}


def test_base_dir_unset_and_no_app_is_a_404(client, settings, tmp_path, monkeypatch):
    del settings.BASE_DIR
    monkeypatch.setattr(views, "DEFAULT_ROOT", str(tmp_path / "no-app"))
    assert client.get("/__version__").status_code == 404


def test_default_root_is_the_dockerflow_app_directory():
    assert dockerflow.version.DEFAULT_ROOT == "/app"


# --- DOCKERFLOW_VERSION_CALLBACK -------------------------------------------------------

calls: list[object] = []


def custom_version(root):
    calls.append(root)
    return {"version": "custom", "root": str(root)}


def none_version(root):
    return None


def list_version(root):
    return ["not", "a", "dict"]


def failing_version(root):
    raise OSError("disk on fire")


def test_callback_dotted_path_gets_the_root(client, root, settings):
    settings.DOCKERFLOW_VERSION_CALLBACK = f"{__name__}.custom_version"
    calls.clear()
    assert client.get("/__version__").json() == {"version": "custom", "root": str(root)}
    assert calls == [root]


def test_callback_as_a_callable(client, root, settings):
    settings.DOCKERFLOW_VERSION_CALLBACK = lambda r: {"root": os.fspath(r)}
    assert client.get("/__version__").json() == {"root": str(root)}


def test_callback_returning_none_is_a_404(client, root, settings):
    settings.DOCKERFLOW_VERSION_CALLBACK = f"{__name__}.none_version"
    assert assert_json_response(client.get("/__version__"), 404) == {
        "error": "version.json not found"
    }


def test_callback_returning_a_non_dict_is_a_json_500(client, root, settings, caplog):
    settings.DOCKERFLOW_VERSION_CALLBACK = f"{__name__}.list_version"
    assert_json_response(client.get("/__version__"), 500)
    (logged,) = error_logs(caplog)
    assert "list" in logged.getMessage()


def nan_version(root):
    return {"version": float("nan")}


def surrogate_version(root):
    return {"version": "\ud800"}


@pytest.mark.parametrize("name", ["nan_version", "surrogate_version"])
def test_callback_returning_what_json_cannot_hold_is_a_json_500(
    client, root, settings, caplog, name
):
    settings.DOCKERFLOW_VERSION_CALLBACK = f"{__name__}.{name}"
    body = assert_json_response(client.get("/__version__"), 500)
    assert body == {"error": "version information is unavailable"}
    (logged,) = error_logs(caplog)
    assert "JSON cannot represent" in logged.getMessage()
    assert name in logged.getMessage()


def test_mocked_default_callback_is_honoured(client, root, monkeypatch):
    write(root, json.dumps(VERSION))
    monkeypatch.setattr("dockerflow.version.get_version", lambda root: {"mocked": True})
    assert client.get("/__version__").json() == {"mocked": True}


def test_callback_raising_is_a_json_500_with_traceback_logged(client, root, settings, caplog):
    settings.DOCKERFLOW_VERSION_CALLBACK = f"{__name__}.failing_version"
    body = assert_json_response(client.get("/__version__"), 500)
    assert body == {"error": "version information is unavailable"}
    (logged,) = error_logs(caplog)
    assert isinstance(logged.exc_info[1], OSError)
    assert "disk on fire" not in json.dumps(body)  # internals stay in the log


@pytest.mark.parametrize("bad", ["no.such.module.get_version", "", 42, None])
def test_bad_callback_setting_is_a_json_500_naming_the_setting(client, root, settings, caplog, bad):
    settings.DOCKERFLOW_VERSION_CALLBACK = bad
    assert_json_response(client.get("/__version__"), 500)
    (logged,) = error_logs(caplog)
    assert isinstance(logged.exc_info[1], ImproperlyConfigured)
    assert f"DOCKERFLOW_VERSION_CALLBACK={bad!r}" in str(logged.exc_info[1])


def test_unimportable_callback_says_so(client, root, settings, caplog):
    settings.DOCKERFLOW_VERSION_CALLBACK = "no.such.module.get_version"
    assert_json_response(client.get("/__version__"), 500)
    (logged,) = error_logs(caplog)
    assert "cannot be imported (No module named 'no')" in str(logged.exc_info[1])


def test_unusable_base_dir_is_a_json_500_logged(client, settings, caplog):
    # BASE_DIR has no runtime rule (conf.VALIDATORS): whatever breaks is logged.
    settings.BASE_DIR = 42
    body = assert_json_response(client.get("/__version__"), 500)
    assert body == {"error": "version information is unavailable"}
    (logged,) = error_logs(caplog)
    assert logged.exc_info is not None


def test_callback_setting_change_takes_effect(client, root, settings):
    write(root, json.dumps(VERSION))
    assert client.get("/__version__").json() == VERSION
    settings.DOCKERFLOW_VERSION_CALLBACK = f"{__name__}.none_version"
    assert client.get("/__version__").status_code == 404
    settings.DOCKERFLOW_VERSION_CALLBACK = "dockerflow.version.get_version"
    assert client.get("/__version__").json() == VERSION


def test_patched_default_get_version_is_honoured(client, root, monkeypatch):
    # python-dockerflow users' tests patch dockerflow.version.get_version.
    monkeypatch.setattr(dockerflow.version, "get_version", lambda r: {"patched": True})
    assert client.get("/__version__").json() == {"patched": True}


def test_version_view_called_directly(rf, root):
    write(root, json.dumps(VERSION))
    response = views.version(rf.get("/anything"))
    assert json.loads(response.content) == VERSION

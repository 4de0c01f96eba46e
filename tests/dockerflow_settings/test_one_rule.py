"""The table and the runtime apply one rule per setting: what ``check`` accepts, the
running service accepts and can use, and the other way round."""

from __future__ import annotations

import math
import string
import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dockerflow.django import conf
from dockerflow.django.middleware import DockerflowMiddleware
from dockerflow_settings import parsing, table
from dockerflow_settings.parsing import ParseError

RUNTIME_ROWS = [row for row in table.TABLE if row.name in conf.VALIDATORS and row.env_var]
NUMERIC_ROWS = [row for row in RUNTIME_ROWS if row.type in ("int", "float")]
PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_REJECTED = object()


def table_outcome(row, text):
    try:
        return row.parse(text)
    except ParseError:
        return _REJECTED


def runtime_outcome(name, value):
    try:
        return conf.validate(name, value)
    except conf.InvalidSetting:
        return _REJECTED


# Texts an operator might type: numbers in every spelling, header-ish and path-ish words,
# boolean words, and arbitrary text.
_WORDS = st.text(alphabet=string.ascii_letters + string.digits + "-_.:/ ,", min_size=1)
TEXTS = st.one_of(
    st.text(min_size=1),
    _WORDS,
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(sorted(parsing.TRUE_WORDS | parsing.FALSE_WORDS)),
    st.sampled_from(["1e10", "1e308", "1e309", "-0", "nan", "inf", "300.0000001", "3600"]),
)


@pytest.mark.parametrize("row", RUNTIME_ROWS, ids=lambda row: row.env_var)
@PROPERTY
@given(text=TEXTS)
def test_what_the_table_accepts_the_runtime_accepts_unchanged(row, text):
    if parsing.is_unset(text):
        return  # unset: the default applies, which test_runtime_rules checks
    value = table_outcome(row, text)
    if value is not _REJECTED:
        assert runtime_outcome(row.name, value) == value


def _typed_values(row):
    """Values of the type the row's text stands for (text cannot spell other types)."""
    if row.type == "bool":
        return st.booleans()
    if row.type == "int":
        return st.integers(min_value=-(10**6), max_value=10**6)
    if row.type == "float":
        return st.one_of(st.floats(), st.integers(min_value=-(10**400), max_value=10**400))
    if row.type == "dotted path list":
        items = st.text(alphabet=string.ascii_letters + "._1 ", min_size=1).map(str.strip)
        return st.lists(items.filter(bool), min_size=1, max_size=4)
    headers = st.text(alphabet=string.ascii_letters + string.digits + "-_.~ ", min_size=1)
    words = st.one_of(headers, st.text(min_size=1)).map(str.strip).filter(bool)
    if row.name == "DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER":
        not_bool_words = words.filter(
            lambda w: w.lower() not in parsing.TRUE_WORDS | parsing.FALSE_WORDS
        )
        return st.one_of(st.none(), st.just(""), not_bool_words)
    if row.name == "DOCKERFLOW_SUMMARY_LOG_PROBES":
        # The variable's words are case-insensitive (a grammar: "NONE" is none), the
        # setting's value is exact: compare exact choices and words that are none of them.
        choices = ("all", "failures", "none")
        others = words.filter(lambda w: w.strip().lower() not in choices)
        return st.one_of(st.sampled_from(choices), others)
    return words


def as_text(row, value):
    """How an operator writes ``value`` in the row's variable."""
    if value is None:
        return "on"  # the response header: on = the request-id header
    if value == "" and row.name == "DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER":
        return "off"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return repr(value) if isinstance(value, float) else str(value)


@pytest.mark.parametrize("row", RUNTIME_ROWS, ids=lambda row: row.env_var)
@PROPERTY
@given(data=st.data())
def test_what_the_runtime_accepts_the_table_accepts_and_the_other_way_round(row, data):
    value = data.draw(_typed_values(row))
    runtime = runtime_outcome(row.name, value)
    text = table_outcome(row, as_text(row, value))
    assert (runtime is _REJECTED) == (text is _REJECTED), (value, runtime, text)
    if runtime is not _REJECTED:
        assert text == runtime


@pytest.mark.parametrize("row", NUMERIC_ROWS, ids=lambda row: row.env_var)
@PROPERTY
@given(text=TEXTS)
@example(text="1e10")
@example(text="1e308")
def test_every_accepted_number_is_usable_by_the_runtime(row, text):
    value = table_outcome(row, "0" if parsing.is_unset(text) else text)
    if value is _REJECTED:
        return
    if row.type == "float":  # seconds: deadlines and waits
        assert math.isfinite(time.monotonic() + value)
        assert value <= threading.TIMEOUT_MAX
        lock = threading.Lock()
        assert lock.acquire(timeout=value)  # validates the timeout, then returns at once
    else:  # a status code or a count
        assert isinstance(value, int)
        assert value < 2**31
        if row.name == "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE":
            assert HttpResponse(status=value).status_code == value


HEADER_NAMES = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + "-_.~!#$%&'*+^`| ", min_size=1),
    st.text(min_size=1),
)


@PROPERTY
@given(name=HEADER_NAMES)
@example(name="X.Trace")
@example(name="X_Trace")
@example(name="X-Amzn-Trace-Id")
def test_check_and_the_middleware_agree_on_header_names(name):
    row = table.BY_NAME["DOCKERFLOW_REQUEST_ID_HEADER_NAME"]
    if parsing.is_unset(name) or name != name.strip():
        return  # the variable's value is stripped; the setting's is not
    accepted_by_check = table_outcome(row, name) is not _REJECTED
    error = None
    with override_settings(DOCKERFLOW_REQUEST_ID_HEADER_NAME=name):
        try:
            DockerflowMiddleware(lambda request: HttpResponse())
        except ImproperlyConfigured as exc:
            error = str(exc)
    assert error is None or error.startswith(f"DOCKERFLOW_REQUEST_ID_HEADER_NAME={name!r}")
    assert accepted_by_check == (error is None), name

"""Objects that lie about themselves never cost a record nor break the JSON.

Every value the logging path reads from application objects -- extras, messages and
their arguments, exceptions, and on the ``request.summary`` path the exception's text,
the user's pk and the request's headers -- may come from an object whose dunder methods
raise: a lazy mapping whose backend is down, a proxy, a model with a broken property.
Each call must still give exactly one line of strict JSON, with either encoder.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerflow.django.middleware import DockerflowMiddleware
from dockerflow.logging import MozlogHandler, encoding
from tests.dockerflow.logging.conftest import parse_line


class Boom(Exception):
    """What the hostile methods raise (not a ValueError/TypeError the encoder expects)."""


def _raise(*args: object, **kwargs: object) -> Any:
    raise Boom("hostile")


# What the interpreter and pytest read from an exception being raised and reported; a
# hostile exception's __getattribute__ lets them through (test_exception_whose_attributes_raise
# covers the formatter reading them).
_EXCEPTION_PLUMBING = frozenset(
    {"__traceback__", "__cause__", "__context__", "__suppress_context__", "__notes__"}
)


def _raise_except_plumbing(self: BaseException, name: str) -> Any:
    if name in _EXCEPTION_PLUMBING:
        return object.__getattribute__(self, name)
    raise Boom(name)


def hostile_class(base: type, methods: frozenset[str]) -> type:
    """A subclass of ``base`` whose ``methods`` all raise."""
    namespace: dict[str, Any] = dict.fromkeys(methods, _raise)
    if issubclass(base, BaseException) and "__getattribute__" in methods:
        namespace["__getattribute__"] = _raise_except_plumbing
    return type(f"Hostile{base.__name__.title()}", (base,), namespace)


class LazyMapping(dict):  # type: ignore[type-arg]
    """A mapping backed by a service that is down: ``items()`` raises."""

    def items(self) -> Any:
        raise ConnectionError("backend down")


class Unreadable:
    """Every attribute lookup raises, ``__class__`` included."""

    def __getattribute__(self, name: str) -> Any:
        raise Boom(name)


class NoTraceback(Exception):
    """An exception whose ``__traceback__`` cannot be read."""

    def __getattribute__(self, name: str) -> Any:
        if name == "__traceback__":
            raise Boom(name)
        return super().__getattribute__(name)


class StrRaises(Exception):
    def __str__(self) -> str:
        raise Boom("no text")


@contextlib.contextmanager
def capture(logger_name: str) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing mozlog lines to a buffer, and only there.

    Entered in the test itself: pytest attaches its capture handlers, whose stdlib
    Formatter does fail on some of these objects, to the non-propagating loggers that
    exist when the test starts.
    """
    logger = logging.getLogger(logger_name)
    stream = io.StringIO()
    saved = logger.handlers, logger.propagate, logger.level
    logger.handlers = [MozlogHandler(stream, name="hostile")]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        yield logger, stream
    finally:
        logger.handlers, logger.propagate = saved[:2]
        logger.setLevel(saved[2])


def _reject_constant(name: str) -> None:
    raise ValueError(f"bare {name}")


def one_strict_line(stream: io.StringIO) -> dict[str, Any]:
    """The one line written since the last call, parsed strictly (then cleared)."""
    text = stream.getvalue()
    stream.seek(0)
    stream.truncate()
    lines = text.splitlines()
    assert len(lines) == 1, text
    json.loads(lines[0], parse_constant=_reject_constant)
    return parse_line(lines[0])


@pytest.fixture
def hostile_logger(encoder: str) -> Callable[[], Any]:
    """Enter it in the test: ``with hostile_logger() as (logger, stream)``."""
    return functools.partial(capture, "tests.hostile_objects")


# --- regressions: each lost its record before the fix ----------------------------------


def test_dict_subclass_whose_items_raise(hostile_logger) -> None:
    with hostile_logger() as (logger, stream):
        logger.info("lazy", extra={"settings": LazyMapping(a=1)})
        fields = one_strict_line(stream)["Fields"]
        assert fields["msg"] == "lazy"
        assert fields["settings"] == {"a": 1}  # its stored items, masked like any dict


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (hostile_class(list, frozenset({"__iter__", "__len__"}))([1, "a"]), [1, "a"]),
        (hostile_class(tuple, frozenset({"__iter__", "__len__"}))((1, 2)), [1, 2]),
        (hostile_class(str, frozenset({"__str__", "__repr__"}))("text"), "text"),
        (hostile_class(int, frozenset({"bit_length", "__index__", "__repr__"}))(7), 7),
        (hostile_class(float, frozenset({"__ne__", "__eq__", "__repr__"}))(0.5), 0.5),
    ],
    ids=["list", "tuple", "str", "int", "float"],
)
def test_builtin_lookalikes_whose_methods_raise(hostile_logger, value, expected) -> None:
    with hostile_logger() as (logger, stream):
        # Next to a NaN, so the value also goes through the cleaning path.
        logger.info("x", extra={"v": value, "n": float("nan")})
        assert one_strict_line(stream)["Fields"]["v"] == expected
        logger.info("x", extra={"v": value})
        assert one_strict_line(stream)["Fields"]["v"] == expected


def test_object_whose_attributes_all_raise(hostile_logger) -> None:
    with hostile_logger() as (logger, stream):
        unreadable = Unreadable()
        logger.info("x", extra={"v": unreadable, "k": {unreadable: [LazyMapping(b=2)]}})
        fields = one_strict_line(stream)["Fields"]
        assert fields["v"] == repr(unreadable)
        assert fields["k"] == {repr(unreadable): [{"b": 2}]}


def test_exception_whose_attributes_raise(hostile_logger) -> None:
    class Opaque(Exception):
        def __getattribute__(self, name: str) -> Any:
            if name in ("__cause__", "__context__", "__suppress_context__", "__traceback__"):
                raise Boom(name)
            return super().__getattribute__(name)

    with hostile_logger() as (logger, stream):
        try:
            raise Opaque("inner")
        except Opaque:
            logger.exception("failed")
        fields = one_strict_line(stream)["Fields"]
        assert fields["msg"] == "failed"
        assert "Opaque" in fields["traceback"]


def test_cause_whose_traceback_raises(hostile_logger) -> None:
    with hostile_logger() as (logger, stream):
        try:
            try:
                raise NoTraceback("first")
            except NoTraceback as first:
                raise ValueError("second") from first
        except ValueError:
            logger.exception("chained")
        traceback = one_strict_line(stream)["Fields"]["traceback"]
    assert "NoTraceback('first')" in traceback
    assert "ValueError('second')" in traceback


def test_type_whose_name_raises(hostile_logger) -> None:
    class Meta(type):
        def __getattribute__(cls, name: str) -> Any:
            if name == "__name__":
                raise Boom(name)
            return super().__getattribute__(name)

    class Nameless(metaclass=Meta):
        def __repr__(self) -> str:
            raise Boom("repr")

    with hostile_logger() as (logger, stream):
        logger.info("x", extra={"v": Nameless()})
        assert one_strict_line(stream)["Fields"]["v"] == "<unrepresentable object>"


def test_message_whose_str_is_a_str_subclass(hostile_logger) -> None:
    class Sly(str):
        def __str__(self) -> str:
            return self  # str() then returns this subclass, whose methods may raise

        def startswith(self, *args: object) -> bool:
            raise Boom("startswith")

    with hostile_logger() as (logger, stream):
        logger.info(Sly("{not json"))
        assert one_strict_line(stream)["Fields"]["msg"] == "{not json"


def test_safe_str_always_gives_an_exact_str() -> None:
    class Text(str):
        pass

    class Odd:
        def __str__(self) -> str:
            return Text("odd")

    for value in (Odd(), Text("sub"), hostile_class(str, frozenset({"__str__"}))("h")):
        assert type(encoding.safe_str(value)) is str
    assert encoding.safe_str(Odd()) == "odd"
    assert encoding.safe_str(StrRaises("x")) == "StrRaises('x')"


# --- the request.summary path ------------------------------------------------------------


def raise_unprintable(request: HttpRequest) -> HttpResponse:
    raise StrRaises("secret")


urlpatterns = [path("unprintable/", raise_unprintable)]


@pytest.mark.urls(__name__)
def test_summary_of_an_exception_whose_str_raises(caplog, monkeypatch) -> None:
    # Django's default LOGGING gives the "django" logger an AdminEmailHandler. On
    # Django 4.2 it renders str(exception) before it knows there is no ADMINS, and
    # raises out of Django's own log_response(): Django's failure, not the summary's.
    monkeypatch.setattr(logging.getLogger("django"), "handlers", [])
    with capture("request.summary") as (_, summary_lines):
        response = Client(raise_request_exception=False).get("/unprintable/")
    assert response.status_code == 500
    fields = one_strict_line(summary_lines)["Fields"]
    assert (fields["errno"], fields["code"], fields["path"]) == (500, 500, "/unprintable/")
    assert fields["msg"] == "StrRaises('secret')"  # repr() when str() fails
    assert fields["error"] == "StrRaises('secret')"
    # And no second django.request ERROR line for a failure of the summary itself.
    django_errors = [r for r in caplog.records if r.name == "django.request"]
    assert len(django_errors) == 1
    assert django_errors[0].getMessage() == "Internal Server Error: /unprintable/"


class HostileUser:
    is_authenticated = True

    @property
    def pk(self) -> Any:
        return hostile_class(str, frozenset({"__str__"}))("7")


def test_summary_with_hostile_user_and_headers(rf) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        request.user = HostileUser()
        request.META["HTTP_USER_AGENT"] = Unreadable()
        request.method = hostile_class(str, frozenset({"__getitem__"}))("GET")
        return HttpResponse()

    request = rf.get("/h/")
    with capture("request.summary") as (_, summary_lines):
        DockerflowMiddleware(view)(request)
    fields = one_strict_line(summary_lines)["Fields"]
    assert fields["uid"] == "7"
    assert fields["agent"] == repr(request.META["HTTP_USER_AGENT"])
    assert fields["method"] == "GET"
    assert fields["code"] == 200


def test_summary_when_the_user_and_the_traceback_cannot_be_read(rf) -> None:
    class BrokenUser:
        @property
        def is_authenticated(self) -> bool:
            raise Boom("session store down")

    def view(request: HttpRequest) -> HttpResponse:
        request.user = BrokenUser()
        raise NoTraceback("failed")

    with capture("request.summary") as (_, summary_lines):
        with pytest.raises(NoTraceback):
            DockerflowMiddleware(view)(rf.get("/u/"))
        fields = one_strict_line(summary_lines)["Fields"]
    assert "uid" not in fields
    assert (fields["errno"], fields["msg"], fields["error"]) == (
        500,
        "failed",
        "NoTraceback('failed')",
    )


# --- property test: anything, through both encoders --------------------------------------

HOSTILE_METHODS = ["__str__", "__repr__", "items", "__iter__", "__len__", "__getattribute__"]
_BASES = [object, dict, list, tuple, str, int, float, Exception]

# Hypothesis itself reads attributes of the values it generates (to report them, to
# shrink them): it generates a description of each hostile object, which the test
# builds. A description is ("hostile", base, methods, payload), ("list", [items]),
# ("dict", [(key, value)]) or a plain value.
_payloads = {
    object: st.none(),
    dict: st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    list: st.lists(st.integers() | st.floats(), max_size=3),
    tuple: st.lists(st.integers() | st.floats(), max_size=3),
    str: st.text(max_size=5),
    int: st.integers(),
    float: st.floats(),
    Exception: st.text(max_size=5),
}


def hostile_specs(bases: list[type] = _BASES) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.sampled_from(bases).flatmap(
        lambda base: st.tuples(
            st.just("hostile"),
            st.just(base),
            st.frozensets(st.sampled_from(HOSTILE_METHODS), min_size=1),
            _payloads[base],
        )
    )


_value_specs = st.recursive(
    hostile_specs() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.tuples(st.just("list"), st.lists(children, max_size=3))
        | st.tuples(
            st.just("dict"),
            st.lists(
                st.tuples(st.text(max_size=3) | hostile_specs([object, str, int, float]), children),
                max_size=3,
            ),
        )
    ),
    max_leaves=6,
)


def build(spec: Any) -> Any:
    """The object a description stands for."""
    if not isinstance(spec, tuple):
        return spec
    if spec[0] == "list":
        return [build(item) for item in spec[1]]
    if spec[0] == "dict":
        return {build(key): build(value) for key, value in spec[1]}
    _, base, methods, payload = spec
    cls = hostile_class(base, methods)
    return object.__new__(cls) if base is object else cls(payload)


def _raising_exception(spec: tuple[Any, ...]) -> BaseException:
    """A raised exception: the described one if it is an exception, else one carrying it."""
    obj = build(spec)
    if spec[1] is not Exception:
        obj = StrRaises(obj)
    try:
        raise obj
    except BaseException as exc:
        return exc


@contextlib.contextmanager
def encoder_chosen(use_orjson: bool) -> Iterator[None]:
    if use_orjson and encoding.orjson is None:
        pytest.skip("orjson is not installed")
    previous = encoding.dumps
    encoding.dumps = encoding.dumps_orjson if use_orjson else encoding.dumps_stdlib
    try:
        yield
    finally:
        encoding.dumps = previous


@pytest.mark.parametrize("use_orjson", [False, True], ids=["stdlib", "orjson"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=_value_specs, message=_value_specs, arg=_value_specs, exc_spec=hostile_specs())
def test_any_hostile_object_gives_one_strict_line(
    use_orjson: bool, extra: Any, message: Any, arg: Any, exc_spec: Any
) -> None:
    extra, message, arg = build(extra), build(message), build(arg)
    exc = _raising_exception(exc_spec)
    with encoder_chosen(use_orjson), capture("tests.hostile_property") as (logger, stream):
        logger.info(message, extra={"v": extra})
        one_strict_line(stream)
        logger.warning("%s %r", arg, arg)
        one_strict_line(stream)
        try:
            raise exc
        except BaseException:
            logger.exception(message)
        one_strict_line(stream)


class User:
    is_authenticated = True

    def __init__(self, pk: Any) -> None:
        self.pk = pk


@pytest.mark.parametrize("use_orjson", [False, True], ids=["stdlib", "orjson"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pk=_value_specs, agent=_value_specs, exc_spec=hostile_specs())
def test_any_hostile_summary_gives_one_strict_line(
    use_orjson: bool, pk: Any, agent: Any, exc_spec: Any
) -> None:
    pk, agent = build(pk), build(agent)
    exc = _raising_exception(exc_spec)

    def view(request: HttpRequest) -> HttpResponse:
        request.user = User(pk)
        request.META["HTTP_USER_AGENT"] = agent
        raise exc

    with encoder_chosen(use_orjson), capture("request.summary") as (_, stream):
        raised = None
        try:
            DockerflowMiddleware(view)(RequestFactory().get("/p/"))
        except BaseException as caught:  # not pytest.raises: it reads the object
            raised = caught
        assert raised is exc
        assert one_strict_line(stream)["Fields"]["errno"] == 500

"""The value grammar of environment variables: one boolean grammar, numbers, lists, URLs.

Each parser takes the text of a variable that is set (callers treat an empty or
blank value as unset, never as an error) and returns the Python value, or raises
:class:`ParseError` whose message says what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dockerflow.masking import has_ambiguous_userinfo

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
BOOL_EXPECTED = "a boolean: true/false, 1/0, yes/no or on/off"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_META_HEADER = re.compile(r"^HTTP_[A-Z0-9_]+$")
_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/,]+$")


class ParseError(ValueError):
    """The text does not follow the grammar; ``str()`` says what was expected."""


def is_unset(text: str | None) -> bool:
    """An absent, empty or blank value means "not set" (``PORT=`` is not an error)."""
    return text is None or not text.strip()


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ParseError(BOOL_EXPECTED)


def parse_str(text: str) -> str:
    return text.strip()


def parse_list(text: str) -> list[str]:
    """Comma-separated; items stripped, empty items dropped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    expected = "an integer" + (
        f" from {low} to {high}" if high is not None else f" >= {low}" if low is not None else ""
    )

    def parse_int(text: str) -> int:
        stripped = text.strip()
        # ASCII digits only: int() would also take "1_000" and non-ASCII digits.
        digits = stripped[1:] if stripped[:1] in "+-" else stripped
        if not (digits.isascii() and digits.isdigit()):
            raise ParseError(expected)
        number = int(stripped)
        if (low is not None and number < low) or (high is not None and number > high):
            raise ParseError(expected)
        return number

    return parse_int


def parse_number(text: str) -> float:
    """A decimal number; its range is the setting's rule (dockerflow.django.conf)."""
    try:
        return float(text.strip())
    except ValueError:
        raise ParseError("a number") from None


def choice(*choices: str) -> Callable[[str], str]:
    """One of ``choices``, case-insensitive; returns the canonical spelling."""
    expected = "one of " + ", ".join(choices)

    def parse_choice(text: str) -> str:
        for option in choices:
            if text.strip().lower() == option.lower():
                return option
        raise ParseError(expected)

    return parse_choice


parse_log_level = choice(*LOG_LEVELS)


def parse_path(text: str) -> Path:
    try:
        path = Path(text.strip()).expanduser()
    except RuntimeError:  # "~user" of an unknown user, or no home directory
        raise ParseError("an absolute path (~ cannot be expanded here)") from None
    if not path.is_absolute():
        raise ParseError("an absolute path")
    return path


DATABASE_URL_EXPECTED = (
    "a database URL such as postgres://user:password@host:5432/name or sqlite:////path"
)
PERCENT_ENCODE = (
    "percent-encode the user name and password: / as %2F, @ as %40, : as %3A, ? as %3F, "
    "# as %23, % as %25, space as %20"
)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def parse_database_url(text: str) -> dict[str, Any]:
    """The ``DATABASES["default"]`` dict of a database URL (dj-database-url).

    Never guesses: a URL whose password could be read as part of the host, port or
    path (a raw ``/``, ``?`` or ``#`` in it) is an error, not a database named after
    the end of the password.
    """
    import dj_database_url

    url = text.strip()
    problem = _database_url_problem(url)
    if problem is None:
        try:
            return dict(dj_database_url.parse(url))
        except (ValueError, KeyError, TypeError):
            problem = _scheme_hint(url)
    raise ParseError(f"{DATABASE_URL_EXPECTED} ({problem})")


def parse_databases(text: str) -> dict[str, Any]:
    """``DATABASES`` with the ``default`` alias from a database URL."""
    return {"default": parse_database_url(text)}


def _database_url_problem(url: str) -> str | None:
    """What makes ``url`` impossible to read without guessing, or None."""
    if not _URL_SCHEME.match(url):
        return "no scheme://"
    if not url.isprintable() or any(char.isspace() for char in url):
        return f"spaces or control characters in it; {PERCENT_ENCODE}"
    if has_ambiguous_userinfo(url):
        return f"the password cannot be told apart from the host and path; {PERCENT_ENCODE}"
    if re.search(r"[?&]conn_(max_age|health_checks)=", url, re.IGNORECASE):
        return "connection options go in DJANGO_CONN_MAX_AGE and DJANGO_CONN_HEALTH_CHECKS"
    authority = re.split(r"[/?#]", url.partition("://")[2], maxsplit=1)[0]
    if _BAD_ESCAPE.search(authority.rpartition("@")[0]):
        return f"a % not followed by two hex digits in the user name or password; {PERCENT_ENCODE}"
    return None


def _scheme_hint(url: str) -> str:
    import dj_database_url

    scheme = url.partition("://")[0]  # _database_url_problem() made sure there is one
    # dj-database-url's table of schemes, not its exception (which differs by version).
    known = getattr(dj_database_url, "ENGINE_SCHEMES", None) or dj_database_url.SCHEMES
    if scheme not in known:
        return f"unknown scheme {scheme!r}"
    # Most often a password read as a port: postgres://app:secret/app forgot its @host.
    return f"not a valid URL: check the host and port, and {PERCENT_ENCODE}"


def parse_proxy_ssl_header(text: str) -> tuple[str, str]:
    expected = "HEADER,value with the header in META form, e.g. HTTP_X_FORWARDED_PROTO,https"
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not _META_HEADER.match(parts[0]) or not parts[1]:
        raise ParseError(expected)
    return (parts[0], parts[1])


def parse_regex_list(text: str) -> list[str]:
    patterns = parse_list(text)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ParseError(f"comma-separated regular expressions ({pattern!r}: {exc})") from None
    return patterns


def parse_origin_list(text: str) -> list[str]:
    origins = parse_list(text)
    bad = [origin for origin in origins if not _ORIGIN.match(origin)]
    if bad:
        raise ParseError(
            "comma-separated origins with a scheme, e.g. https://example.com (not "
            + ", ".join(repr(origin) for origin in bad)
            + ")"
        )
    return origins


def _bare_host(entry: str) -> str:
    host = _URL_SCHEME.sub("", entry).split("/", 1)[0]
    return host if host.endswith("]") else host.rpartition(":")[0] or host


def _has_port(host: str) -> bool:
    # "[::1]" and "[::1]:8000": only a colon after the bracket is a port.
    return ":" in host.rpartition("]")[2] if host.startswith("[") else ":" in host


def parse_host_list(text: str) -> list[str]:
    """ALLOWED_HOSTS entries: host names only. Django compares them with the Host header
    without its port, so a scheme, a port, a path or a space-separated list would never
    match a request."""
    hosts = parse_list(text)
    bad = [h for h in hosts if "/" in h or _has_port(h) or any(c.isspace() for c in h)]
    if bad:
        fixed = [_bare_host(word) for host in hosts for word in host.split()]
        raise ParseError(
            "host names separated by commas, without scheme, port, path or spaces (not "
            + ", ".join(repr(host) for host in bad)
            + "); for example "
            + ",".join(dict.fromkeys(name for name in fixed if name))
        )
    return hosts


def parse_response_header(text: str) -> str | None:
    """A header name; a false word (off, no, 0, false) means none, a true word the
    request-id header (None)."""
    word = text.strip()
    if word.lower() in FALSE_WORDS:
        return ""
    if word.lower() in TRUE_WORDS:
        return None
    return word


def parse_conn_max_age(text: str) -> int | None:
    """Seconds as an integer >= 0, or ``none`` for connections kept forever."""
    if text.strip().lower() == "none":
        return None
    try:
        return integer(0)(text)
    except ParseError:
        raise ParseError("an integer >= 0 (seconds), or none (reuse forever)") from None


def parse_fraction(text: str) -> float:
    """A number from 0 to 1."""
    try:
        value = float(text.strip())
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:  # NaN fails too
        raise ParseError("a number from 0 to 1")
    return value


#: Cache URL schemes (django-environ's names) and the Django backend of each.
CACHE_BACKENDS = {
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
    "pymemcache": "django.core.cache.backends.memcached.PyMemcacheCache",
    "memcache": "django.core.cache.backends.memcached.PyMemcacheCache",
    "pylibmc": "django.core.cache.backends.memcached.PyLibMCCache",
}


def parse_caches(text: str) -> dict[str, Any]:
    """``CACHES`` with the ``default`` alias from a cache URL.

    Redis URLs are handed to Django's ``RedisCache`` whole (redis-py reads the database
    and options from them; several comma-separated URLs are a primary and replicas);
    memcached and locmem take the part after ``scheme://`` as their LOCATION.
    """
    url = text.strip()
    scheme, sep, rest = url.partition("://")
    backend = CACHE_BACKENDS.get(scheme.lower()) if sep else None
    if backend is None:
        raise ParseError(
            "a cache URL with one of the schemes " + ", ".join(f"{s}://" for s in CACHE_BACKENDS)
        )
    if scheme.lower().startswith("redis"):
        if has_ambiguous_userinfo(url) or any(c.isspace() for c in url):
            raise ParseError(
                f"a cache URL such as redis://:password@host:6379/0 ({PERCENT_ENCODE})"
            )
        location = url
    else:
        location = rest
    config: dict[str, Any] = {"BACKEND": backend}
    if location:
        config["LOCATION"] = location
    return {"default": config}

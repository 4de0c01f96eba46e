"""Hiding secrets the same way in everything the package shows: reports, errors, check
messages, logs. For URLs, "never guess": when the user-info cannot be told apart from the
host or path, everything from ``//`` (or the start) to the last ``@`` is masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

#: What a secret is replaced with.
MASK = "********"

#: A query option, header, setting or log key whose name contains one of these is secret.
SECRET_NAME_PARTS = (
    "password", "passwd", "pwd", "secret", "token", "key", "credential", "authorization", "dsn"
)  # fmt: skip
#: So does one whose name ends with one of these: a cookie or session id, not a setting
#: about them (``SESSION_COOKIE_AGE``).
SECRET_NAME_ENDINGS = ("cookie", "cookies", "session", "sessionid", "session_id", "session-id")

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# A URL inside free text: a scheme (not preceded by a scheme character, so a long word
# is scanned once, not from each of its characters), "://", everything up to
# whitespace, and the next word too when it holds an "@" (a raw space in a password).
# Quotes and brackets are kept in: a password may contain them, and masking a little of
# the surrounding text is better than showing the end of a password.
_SCHEME_START = r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://"
_URL_IN_TEXT = re.compile(_SCHEME_START + r"\S*(?:\s+[^\s@]*@\S*)?")
_URL_START = re.compile(_SCHEME_START)
# A word holding an "@": user-info without a usable scheme ("app:pw@db",
# "postgres:/app:pw@db") is hidden up to its last "@" (see _mask_word).
_WORD_WITH_AT = re.compile(r"(?<!\S)\S*@\S*")
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
# "password=x" or "sslpassword='x y'" in free text: a libpq-style DSN or options echoed
# by a driver. Only secret-named keys are masked (checked in the replacement).
_KEY_VALUE_IN_TEXT = re.compile(
    r"(?<![\w.-])(?P<name>[A-Za-z_][\w.-]*)="
    rf"(?P<value>{_QUOTED}|[^\s&,;)]+)"
)
# "'password': 'x'" or '"token": "x"': a dict's repr or a JSON body quoted in an
# exception's message. A flat list is masked whole; a dict is not: its own keys are.
_QUOTED_KEY_VALUE_IN_TEXT = re.compile(
    r"(?P<quote>['\"])(?P<name>[A-Za-z_][\w.-]*)(?P=quote)\s*:\s*"
    rf"(?P<value>[bBrRuU]{{0,2}}(?:{_QUOTED})|\[[^\[\]{{}}]*\]|[^\s,;(){{}}\[\]'\"]+)"
)
_SQLITE_IN_MEMORY = "sqlite://:memory:"  # dj-database-url's spelling; ":memory:" is no port


def is_secret_name(name: object) -> bool:
    """Whether a key, header or query option called ``name`` holds a secret
    (case-insensitive; see :data:`SECRET_NAME_PARTS` and :data:`SECRET_NAME_ENDINGS`)."""
    lowered = name.lower() if isinstance(name, str) else ""
    secret = any(part in lowered for part in SECRET_NAME_PARTS)
    return secret or lowered.endswith(SECRET_NAME_ENDINGS)


def mask(value: Any) -> Any:
    """``MASK`` for a secret that is set; an empty or missing secret is shown as it is."""
    if value is None or (type(value) is str and not value):
        return value
    return MASK


def _authority_start(url: str) -> int | None:
    """Index just after ``scheme://``, or None when ``url`` does not start with one."""
    scheme_end = url.find("://")
    if scheme_end == -1 or not _SCHEME.fullmatch(url[:scheme_end]):
        return None
    return scheme_end + 3


def _authority_end(url: str, start: int) -> int:
    ends = [index for index in (url.find(stop, start) for stop in "/?#") if index != -1]
    return min(ends, default=len(url))


def has_ambiguous_userinfo(url: str) -> bool:
    """Whether ``url`` has an ``@`` with no ``scheme://`` before it, or after the first
    ``/``, ``?`` or ``#`` of the host part: most likely a password with a raw ``/``, ``?``
    or ``#``, part of which a parser would read as the host, port or path."""
    start = _authority_start(url)
    last_at = url.rfind("@", start or 0)
    if last_at == -1:
        return False
    return start is None or last_at > _authority_end(url, start)


def _mask_bad_port(url: str, start: int) -> str:
    # No user-info: a "port" that is not a number is most likely "user:password" with
    # the "@host" forgotten (postgres://app:TopSecret/app), so it is hidden.
    end = _authority_end(url, start)
    if url == _SQLITE_IN_MEMORY:
        return url
    host_end = start
    if url.startswith("[", start):  # an IPv6 address: its colons are not a port
        bracket = url.find("]", start, end)
        host_end = start if bracket == -1 else bracket + 1
    colon = url.find(":", host_end, end)
    port = url[colon + 1 : end]
    if colon == -1 or port == "" or (port.isascii() and port.isdigit() and int(port) <= 65535):
        return url
    return f"{url[: colon + 1]}{MASK}{url[end:]}"


def url_secrets(url: object) -> list[str]:
    """For :func:`mask_text`'s ``secrets``, as typed and decoded: ``url``'s password, its
    secret query options' values and, when its user-info is ambiguous, every piece of it
    after the user name (a parser may quote any: ``... integer value as 'TopSe'``)."""
    if not isinstance(url, str):
        return []
    start = _authority_start(url)
    last_at = url.rfind("@", start or 0)
    found: list[str] = []
    if last_at != -1:
        userinfo = url[start or 0 : last_at]
        if has_ambiguous_userinfo(url):
            pieces = re.split(r"[:/?#@]", userinfo)[1:]
            # Shorter pieces are no meaningful leak, and masking them would garble text.
            found += [userinfo, *(piece for piece in pieces if len(piece) >= 4)]
        else:
            found.append(userinfo.partition(":")[2])
    query = url.partition("?")[2]
    for option in query.split("&"):
        name, _, value = option.partition("=")
        if is_secret_name(unquote_plus(name)):
            found += [value, unquote_plus(value)]
    found += [unquote(secret) for secret in found]
    return [secret for secret in dict.fromkeys(found) if secret]


def mask_query(query: str) -> str:
    """A raw (percent-encoded) query string with every secret-named option's value masked
    (``a=1&password=********``), and a URL's user-info in any other value too
    (``next=https://u:********@host/``)."""
    options = []
    for option in query.split("&"):
        name, equals, value = option.partition("=")
        # parse_qs decodes names: "pass%77ord" is a password option too.
        if equals and value and is_secret_name(unquote_plus(name)):
            option = f"{name}={MASK}"
        elif "@" in option or "%40" in option.upper():
            decoded = unquote_plus(value)
            masked = mask_text(decoded)
            if masked != decoded:
                option = f"{name}={quote(masked, safe='/:@*')}"
        options.append(option)
    return "&".join(options)


def mask_url(url: str, *, keep_user: bool = True) -> str:
    """``url`` with its password and secret query options replaced by :data:`MASK`,
    keeping the user name, host and path. With ``keep_user=False`` (a user name may be a
    token: ``https://TOKEN@github.com/...``) or an ambiguous user-info
    (:func:`has_ambiguous_userinfo`), all of ``//...@`` is masked. Without user-info, a
    port that is not a number is masked (a forgotten ``@host``)."""
    start = _authority_start(url)
    last_at = url.rfind("@", start or 0)
    if last_at == -1:
        if start is not None:
            url = _mask_bad_port(url, start)
    elif not keep_user or has_ambiguous_userinfo(url):
        head = 0 if start is None else start
        url = f"{url[:head]}{MASK}{url[last_at:]}"
    else:
        colon = url.find(":", start, last_at)
        if colon != -1:
            url = f"{url[: colon + 1]}{MASK}{url[last_at:]}"
    query_start = url.find("?")
    if query_start != -1:
        url = url[: query_start + 1] + mask_query(url[query_start + 1 :])
    return url


def mask_text(text: str, secrets: Iterable[Any] = ()) -> str:
    """``text`` (a driver error, a check message...) with every URL in it masked by
    :func:`mask_url`, every other ``...:...@`` word up to its last ``@``, and the value of
    every secret-named ``name=value`` or ``'name': value`` and each of ``secrets``
    (non-empty strings) replaced by :data:`MASK`."""
    for secret in secrets:
        if isinstance(secret, str) and secret:
            text = text.replace(secret, MASK)
    text = _URL_IN_TEXT.sub(lambda match: mask_url(match.group()), text)
    text = _WORD_WITH_AT.sub(_mask_word, text)
    text = _QUOTED_KEY_VALUE_IN_TEXT.sub(_mask_key_value, text)
    return _KEY_VALUE_IN_TEXT.sub(_mask_key_value, text)


def _mask_word(match: re.Match[str]) -> str:
    # Only the part before a URL: the URL itself was masked already, user name kept.
    word = match.group()
    url = _URL_START.search(word)
    head = word if url is None else word[: url.start()]
    at = head.rfind("@")
    if at == -1 or ":" not in head[:at]:
        return word
    return f"{MASK}{word[at:]}"


def _mask_key_value(match: re.Match[str]) -> str:
    if not is_secret_name(match["name"]) or match["value"] == MASK:
        return match.group()
    return f"{match.group()[: match.start('value') - match.start()]}{MASK}"


def _mask_nested(value: Any) -> Any:
    if isinstance(value, Mapping):
        return mask_mapping(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_nested(item) for item in value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def mask_mapping(values: Any) -> Any:
    """A copy of a settings-like dict with every secret-named key's value masked
    (``PASSWORD``, ``OPTIONS['sslpassword']``..., whatever its type: dj-database-url
    turns ``?password=123456`` into an int), and every URL in a string masked,
    recursively through dicts, lists and tuples."""
    if not isinstance(values, Mapping):
        return values
    return {
        key: mask(value)
        if is_secret_name(key) and not isinstance(value, Mapping)
        else _mask_nested(value)
        for key, value in values.items()
    }


def mask_databases(databases: Any) -> Any:
    """A copy of a ``DATABASES`` dict with every password and secret option masked."""
    if not isinstance(databases, Mapping):
        return databases
    return {alias: mask_mapping(config) for alias, config in databases.items()}

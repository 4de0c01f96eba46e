"""What the pages say a setting's default is, is the default the code has.

The configuration reference renders defaults from the code, but the other pages repeat
them in sentences -- ":setting:`DOCKERFLOW_HEARTBEAT_TIMEOUT` seconds (default 5)" -- and
a sentence is not updated when a default changes, or a setting goes. Every such claim,
a ``:setting:`` reference followed in the same sentence by ``(default VALUE``, is read
here and compared with ``dockerflow.django.conf.DEFAULTS``; a claim about a setting the
runtime no longer has fails too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

import pytest

from dockerflow.django import conf
from tests.docs.rst import ROOT, documented_files

# A setting reference, then up to the end of its sentence (no ". " and no other
# reference in between), "(default", then the value up to ")", ";", "," or ":".
_CLAIM = re.compile(
    r":setting:`(?P<name>[A-Z][A-Z0-9_]*)`"
    r"(?:(?!:setting:|\.\s)[^()]){0,80}"
    r"\(default (?P<value>[^);,:]+)"
)


@dataclass
class Claim:
    where: str
    name: str
    value: str


def claims_in(text: str, where: str) -> list[Claim]:
    """The default claims in ``text`` (lines joined: a sentence may wrap)."""
    joined = " ".join(line.strip() for line in text.splitlines())
    return [
        Claim(where, match["name"], match["value"].strip()) for match in _CLAIM.finditer(joined)
    ]


def stated(value: str) -> Any:
    """The value a claim states: a Python literal, else the text itself."""
    text = value.strip("`")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


CLAIMS = [
    claim
    for page in documented_files()
    for claim in claims_in(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT)))
    if claim.name.startswith("DOCKERFLOW_")
]


def test_the_reader_finds_the_claims_of_every_form() -> None:
    text = """
    :setting:`DOCKERFLOW_HEARTBEAT_TIMEOUT` seconds (default 5) whatever
    :setting:`DOCKERFLOW_SUMMARY_LOG_QUERYSTRING` ``True`` (default ``False``: query
    strings... :setting:`DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE` (default 500; 400-599)
    :setting:`DOCKERFLOW_REQUEST_ID_HEADER_NAME`
    (default ``X-Request-ID``). :setting:`DEBUG` is on. Something else (default 7).
    """
    found = [(c.name, stated(c.value)) for c in claims_in(text, "text")]
    assert found == [
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", 5),
        ("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", False),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 500),
        ("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X-Request-ID"),
    ]
    # Guards the reader: the pages must keep giving it claims to check.
    assert len(CLAIMS) >= 6


def test_a_changed_default_would_be_caught() -> None:
    (claim,) = claims_in(":setting:`DOCKERFLOW_HEARTBEAT_TIMEOUT` (default 7)", "text")
    assert stated(claim.value) != conf.DEFAULTS[claim.name]


@pytest.mark.parametrize("claim", CLAIMS, ids=[f"{c.where}:{c.name}" for c in CLAIMS])
def test_default_stated_in_prose_is_the_codes(claim: Claim) -> None:
    assert claim.name in conf.DEFAULTS, (
        f"{claim.where} states a default for {claim.name}, which the runtime does not have"
    )
    default = conf.DEFAULTS[claim.name]
    assert stated(claim.value) == default, (
        f"{claim.where}: the page says {claim.name} defaults to {claim.value}, "
        f"the code's default is {default!r}"
    )

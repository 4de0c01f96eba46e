"""docs/security.rst names, for each promise, tests that exist."""

from __future__ import annotations

import re

from tests.docs.rst import ROOT

PAGE = ROOT / "docs" / "security.rst"
REFERENCE = re.compile(r"^\* (tests/[\w/]+\.py)::(test_\w+)$", re.MULTILINE)


def test_every_test_the_security_page_names_exists() -> None:
    references = REFERENCE.findall(PAGE.read_text())
    assert len(references) >= 20
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).exists()
        or not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(), re.MULTILINE)
    ]
    assert missing == []

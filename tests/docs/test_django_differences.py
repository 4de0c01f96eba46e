"""Nothing differs from Django's defaults silently.

``docs/configuration.rst`` shows every setting whose value under a Dev and a Prod
configuration differs from Django's default (or, for the runtime's own settings, from the
runtime's), each with a reason kept in ``docs/_ext/dockerflow_reference.py``. These tests
fail when a setting starts to differ without a reason, or when a reason is kept for a
setting that no longer differs.
"""

from __future__ import annotations

import re
import sys

import django
import pytest

from tests.docs.rst import DOCS

sys.path.insert(0, str(DOCS / "_ext"))
import dockerflow_reference as reference

VERSION = django.VERSION[:2]
#: Runtime settings the table has but the runtime does not define yet (no default to compare).
PENDING = reference.pending_settings()


def test_every_difference_has_a_reason_and_every_reason_a_difference() -> None:
    found = [difference.name for difference in reference.differences()]
    reference.check_reasons(found, reference.DIFFERENCE_REASONS, VERSION, PENDING)


def test_the_production_security_settings_are_among_the_differences() -> None:
    # Guards the comparison itself: these are the reasons the table exists.
    by_name = {difference.name: difference for difference in reference.differences()}
    assert by_name["SECURE_SSL_REDIRECT"].prod is True
    assert by_name["SECURE_SSL_REDIRECT"].dev is False
    assert by_name["SECURE_HSTS_SECONDS"].prod == 31_536_000
    assert by_name["DOCKERFLOW_ERROR_ENDPOINT"].default is True  # the runtime's default
    assert "SECURE_HSTS_PRELOAD" not in by_name  # opt-in: Django's default kept
    assert "SECURE_CONTENT_TYPE_NOSNIFF" not in by_name  # Django's default already


def test_a_new_difference_without_a_reason_fails_the_build() -> None:
    found = [d.name for d in reference.differences()]
    with pytest.raises(ValueError, match="without a reason \\['SECURE_HSTS_PRELOAD'\\]"):
        reference.check_reasons(
            [*found, "SECURE_HSTS_PRELOAD"], reference.DIFFERENCE_REASONS, VERSION, PENDING
        )


def test_a_reason_for_a_setting_that_no_longer_differs_fails_the_build() -> None:
    found = [d.name for d in reference.differences() if d.name != "SECURE_SSL_REDIRECT"]
    with pytest.raises(ValueError, match="resolve to \\['SECURE_SSL_REDIRECT'\\]"):
        reference.check_reasons(found, reference.DIFFERENCE_REASONS, VERSION, PENDING)


def test_a_version_limited_reason_is_checked_on_both_sides_of_the_version() -> None:
    reasons = {"USE_TZ": reference.Reason("Django 5.0's default.", django_before=(5, 0))}
    reference.check_reasons(["USE_TZ"], reasons, (4, 2))
    reference.check_reasons([], reasons, (5, 2))
    with pytest.raises(ValueError, match="USE_TZ"):
        reference.check_reasons([], reasons, (4, 2))
    with pytest.raises(ValueError, match="USE_TZ"):
        reference.check_reasons(["USE_TZ"], reasons, (5, 2))


def test_the_rendered_table_shows_the_three_values_and_the_reason() -> None:
    text = "\n".join(reference.differences_rst())
    row = text.split("``SECURE_SSL_REDIRECT``", 1)[1].split("   * - ", 1)[0]
    assert row.splitlines()[1:5] == [
        "     - ``False``",
        "     - *(same)*",
        "     - ``True``",
        f"     - {reference.DIFFERENCE_REASONS['SECURE_SSL_REDIRECT'].text}",
    ]


def test_the_configuration_page_shows_the_table() -> None:
    page = (DOCS / "configuration.rst").read_text(encoding="utf-8")
    assert ".. dockerflow-django-differences::" in page


def test_the_ownership_table_says_merges_exactly_for_the_merged_rows() -> None:
    from dockerflow_settings import table

    lines = reference.ownership_rst(reference.table_rows())
    shown = {}
    for index, line in enumerate(lines):
        if line.startswith("   * - ") and index > 8:
            name = re.search(r"`([A-Z0-9_]+)`", line)[1]
            shown[name] = lines[index + 2].strip().removeprefix("- ")
    rows = [row for row in table.TABLE if row.role in (table.DJANGO, table.OPTION)]
    assert shown == {row.name: "merges" if row.merge else "default" for row in rows}
    assert {"INSTALLED_APPS", "MIDDLEWARE", "STORAGES"} <= {
        n for n, v in shown.items() if v == "merges"
    }


def test_the_migration_guide_shows_the_ownership_table() -> None:
    page = (DOCS / "migrating.rst").read_text(encoding="utf-8")
    assert ".. dockerflow-settings-ownership::" in page

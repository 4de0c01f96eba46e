"""request.summary with DOCKERFLOW_SUMMARY_LOG_QUERYSTRING on: secret options are masked."""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.test import override_settings

from dockerflow.logging import JsonLogFormatter
from dockerflow.masking import MASK

from .corpus import Case, leaks

SECRETS = Case("query", "", ("Zt6Mx2Qp", "Oe5Vd9Hk", "Ay5Lq9Cz", "Vn3Hs7Wq", "Gw/@:%#?y8Kn"), True)


def test_secret_query_options_are_masked_in_the_summary(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="request.summary")
    query = (
        "q=shoes&password=Zt6Mx2Qp&sslpassword=Oe5Vd9Hk&api_key=Ay5Lq9Cz&pass%77ord=Vn3Hs7Wq"
        f"&token={quote('Gw/@:%#?y8Kn', safe='')}&page=2"
    )
    with override_settings(DOCKERFLOW_SUMMARY_LOG_QUERYSTRING=True):
        client.get(f"/__lbheartbeat__?{query}")
    (record,) = [r for r in caplog.records if r.name == "request.summary"]
    assert record.querystring == (
        f"q=shoes&password={MASK}&sslpassword={MASK}&api_key={MASK}&password={MASK}"
        f"&token={MASK}&page=2"
    )
    line = JsonLogFormatter(logger_name="security").format(record)
    assert not leaks(line, [SECRETS]), line

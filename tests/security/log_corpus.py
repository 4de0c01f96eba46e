"""Hostile inputs that try to put a secret or an unbounded value into a log line.

Each reaches the logs the way it would in production: a query string (request.summary
with DOCKERFLOW_SUMMARY_LOG_QUERYSTRING, Django's ``request`` extra on a 404), a header
or a body quoted in an exception message, a JSON body logged as a nested extra, a URL
with credentials, Celery task arguments, a failing task's exception, a task's return
value. Every secret is a made-up token (see :mod:`tests.security.corpus`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tests.security.corpus import DATABASE_URLS, REDIS_URLS, Case


@dataclass(frozen=True)
class HttpCase:
    label: str
    method: str
    path: str
    secrets: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def case(self) -> Case:
        return Case(self.label, self.path, self.secrets, True)


@dataclass(frozen=True)
class TaskCase:
    label: str
    secrets: tuple[str, ...]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def case(self) -> Case:
        return Case(self.label, "", self.secrets, True)


def _json(value: Any) -> str:
    return json.dumps(value)


def _deep(levels: int, leaf: dict[str, Any]) -> dict[str, Any]:
    for _ in range(levels):
        leaf = {"level": leaf}
    return leaf


QUERY_CASES = (
    HttpCase("q-password", "GET", "/ok/?q=shoes&password=Zt6Mx2Qp&page=2", ("Zt6Mx2Qp",)),
    HttpCase("q-api-key-404", "GET", "/nope/?api_key=Ay5Lq9Cz", ("Ay5Lq9Cz",)),
    HttpCase("q-encoded-name", "GET", "/ok/?pass%77ord=Vn3Hs7Wq", ("Vn3Hs7Wq",)),
    HttpCase(
        "q-token-encoded-404",
        "GET",
        f"/nope/?token={quote('Gw/@:%#?y8Kn', safe='')}",
        ("Gw/@:%#?y8Kn", quote("Gw/@:%#?y8Kn", safe="")),
    ),
    HttpCase("q-session", "GET", "/ok/?sessionid=Qp2Wm7Xc", ("Qp2Wm7Xc",)),
    HttpCase(
        "q-url-credentials",
        "GET",
        f"/ok/?next={quote('https://ann:Er4Ty8Ui@example.com/', safe='')}",
        ("Er4Ty8Ui",),
    ),
    HttpCase(
        "q-url-credentials-404", "GET", "/nope/?to=https://ann:Op3As7Df@example.com/", ("Op3As7Df",)
    ),
    # Long, but within gunicorn's default request-line limit (4094 bytes).
    HttpCase("q-long-404", "GET", "/nope/?access_token=Wx4Ec8Rv&pad=" + "p" * 3500, ("Wx4Ec8Rv",)),
)

HEADER_CASES = (
    HttpCase("h-authorization", "GET", "/raise-headers/", ("Hj6Kl2Zx",),
             {"Authorization": "Bearer Hj6Kl2Zx"}),
    HttpCase("h-cookie", "GET", "/raise-headers/", ("Cv8Bn3Mq",),
             {"Cookie": "sessionid=Cv8Bn3Mq; theme=dark"}),
    HttpCase("h-api-key", "GET", "/raise-headers/", ("Wd3Ef7Rg",), {"X-Api-Key": "Wd3Ef7Rg"}),
    HttpCase("h-proxy-authorization", "GET", "/raise-headers/", ("YW5uOkZ5M05jN0x3",),
             {"Proxy-Authorization": "Basic YW5uOkZ5M05jN0x3"}),
    HttpCase("h-auth-token", "GET", "/raise-headers/", ("Tg5Yh9Uj",), {"X-Auth-Token": "Tg5Yh9Uj"}),
)  # fmt: skip

BODY_CASES = (
    HttpCase("b-json-password", "POST", "/raise-body/", ("Bg6Nh2Mj",),
             body=_json({"user": "ann", "password": "Bg6Nh2Mj"})),
    HttpCase("b-form", "POST", "/raise-body/", ("Lp3Ko9Ij",),
             body="username=ann&password=Lp3Ko9Ij&next=/"),
    HttpCase("b-dsn", "POST", "/raise-body/", ("Qa1Ws5Ed",),
             body="host=db user=app password=Qa1Ws5Ed dbname=app"),
    HttpCase("b-nested-json", "POST", "/raise-body/", ("Hy6Uj0Ik", "Mk9Nj3Bh"),
             body=_json({"auth": {"client_secret": "Hy6Uj0Ik"}, "list": [{"apikey": "Mk9Nj3Bh"}]})),
    # 2 MB: the line must stay within the bound, and keep its record.
    HttpCase("b-2mb", "POST", "/raise-body/", ("Rf4Tg8Yh",),
             body="password=Rf4Tg8Yh&data=" + "d" * 2_000_000),
    HttpCase("x-nested", "POST", "/log-payload/", ("Cv5Bn1Mq", "Jk2Lm6Np"),
             body=_json({"user": {"name": "ann", "password": "Cv5Bn1Mq"}, "tokens": ["Jk2Lm6Np"]})),
    HttpCase("x-headers", "POST", "/log-payload/", ("Xs2Dc6Fv", "Ui9Op3As"),
             body=_json({"headers": {"Authorization": "Bearer Xs2Dc6Fv", "Cookie": "Ui9Op3As"}})),
    HttpCase("x-deep", "POST", "/log-payload/", ("Gt7kHy3J",),
             body=_json(_deep(12, {"secret": "Gt7kHy3J"}))),
    HttpCase("x-list", "POST", "/log-payload/", ("Ki8Lo4Pa", "Nm3Bv7Cx"),
             body=_json([{"username": "a", "passwd": "Ki8Lo4Pa"}, {"pwd": "Nm3Bv7Cx"}])),
    HttpCase("x-big", "POST", "/log-payload/", ("Za3Xs7Cd",),
             body=_json({"dsn": "Za3Xs7Cd", "blob": "b" * 300_000})),
)  # fmt: skip

#: The database and Redis URLs a driver accepts, quoted in an exception message.
URL_CASES = tuple(
    HttpCase(f"url-{case.label}", "POST", "/raise-body/", case.secrets, body=case.value)
    for case in (*DATABASE_URLS, *REDIS_URLS)
    if case.valid
)

HTTP_CASES = QUERY_CASES + HEADER_CASES + BODY_CASES + URL_CASES

TASK_CASES = (
    TaskCase("t-kwargs-password", ("Rt6Yu0Io",), kwargs={"user": "ann", "password": "Rt6Yu0Io"}),
    TaskCase("t-positional", ("Pl2Ok6Ij",), args=("Pl2Ok6Ij",)),
    TaskCase("t-nested-kwargs", ("Aw4Se8Dr",), kwargs={"options": {"api_key": "Aw4Se8Dr"}}),
    TaskCase("t-dsn-kwarg", ("Sd4Gh8Jk",), kwargs={"dsn": "postgres://app:Sd4Gh8Jk@db/app"}),
    TaskCase("t-url-arg", ("Lk7Jh3Gf",), args=("https://ann:Lk7Jh3Gf@example.com/",)),
    TaskCase("t-failure", ("Yt7Qw3eX",), kwargs={"fail": True, "token": "Yt7Qw3eX"}),
    TaskCase("t-return-value", ("Xc5Bn9Mv",), kwargs={"give": {"token": "Xc5Bn9Mv", "ok": 1}}),
    TaskCase("t-big", ("Nb6Vc2Xz",), kwargs={"secret": "Nb6Vc2Xz", "give": "g" * 300_000}),
)

ALL_CASES = tuple(case.case for case in (*HTTP_CASES, *TASK_CASES))

"""Malformed and tricky URLs and secrets: what every output surface is run over.

Each case lists the secrets it holds, as typed and as decoded. No output may contain
a secret, nor any 4-character piece of one (:func:`leaks`): a password cut at a raw
``/`` must not show its tail either. Every password is a made-up token so that its
pieces cannot occur in ordinary output by chance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Shortest piece of a secret that counts as a leak.
PIECE = 4
# Pieces made only of hex digits may occur by chance in request ids, timestamps and
# pids; for those only the whole secret counts.
_HEX_PIECE = re.compile(r"[0-9a-f]+")


@dataclass(frozen=True)
class Case:
    label: str  # the pytest id
    value: str
    secrets: tuple[str, ...]
    #: dj-database-url's parse succeeds and dockerflow_settings accepts it (for
    #: DATABASE_URL); for REDIS cases, redis-py accepts the URL.
    valid: bool


def _case(label: str, value: str, valid: bool, *secrets: str) -> Case:
    assert secrets, label
    assert all(len(secret) >= PIECE for secret in secrets), label
    return Case(label, value, secrets, valid)


DATABASE_URLS = (
    _case("raw-slash", "postgres://app:TopSe/cret99@db:5432/app", False, "TopSe/cret99"),
    _case("raw-slash-digits", "postgres://app:12/34xyz@db:5432/app", False, "12/34xyz"),
    _case("encoded-slash", "postgres://app:Qv7%2FZr8k@db:5432/app", True, "Qv7/Zr8k", "Qv7%2FZr8k"),
    _case("raw-at", "postgres://app:Mn4@Hq9w@db:5432/app", True, "Mn4@Hq9w"),
    _case("encoded-at", "postgres://app:Lk2%40Vb6n@db/app", True, "Lk2@Vb6n", "Lk2%40Vb6n"),
    _case("raw-colon", "postgres://app:Jx5:Tw3p@db/app", True, "Jx5:Tw3p"),
    _case("encoded-colon", "postgres://app:Rf8%3AGy2m@db/app", True, "Rf8:Gy2m", "Rf8%3AGy2m"),
    _case("raw-percent", "postgres://app:Pz9%Cq1x@db/app", False, "Pz9%Cq1x"),
    _case("encoded-percent", "postgres://app:Ud6%25Ks4j@db/app", True, "Ud6%Ks4j", "Ud6%25Ks4j"),
    _case("raw-hash", "postgres://app:Wb3#Xn7r@db/app", False, "Wb3#Xn7r"),
    _case("encoded-hash", "postgres://app:Ec1%23Ym5t@db/app", True, "Ec1#Ym5t", "Ec1%23Ym5t"),
    _case("raw-question", "postgres://app:Hs4?Dv8q@db/app", False, "Hs4?Dv8q"),
    _case("encoded-question", "postgres://app:Ta7%3FBn2w@db/app", True, "Ta7?Bn2w", "Ta7%3FBn2w"),
    _case("raw-all", "postgres://app:Gq/@:%#?x9Lm@db/app", False, "Gq/@:%#?x9Lm"),
    _case(
        "encoded-all",
        "postgres://app:Gw%2F%40%3A%25%23%3Fy8Kn@db/app",
        True,
        "Gw/@:%#?y8Kn",
        "Gw%2F%40%3A%25%23%3Fy8Kn",
    ),
    _case("raw-scheme-in-password", "postgres://app:Qw3://Er7t@db/app", False, "Qw3://Er7t"),
    _case("raw-space", "postgres://app:Uj7 Ik3Ol@db/app", False, "Uj7 Ik3Ol"),
    _case("raw-newline", "postgres://app:Zx8\nCv4Bn@db/app", False, "Zx8\nCv4Bn", "Cv4Bn"),
    _case("encoded-space", "postgres://app:Ik8%20Ol4Pm@db/app", True, "Ik8 Ol4Pm", "Ik8%20Ol4Pm"),
    _case("quotes", "postgres://app:Ol5'Pk9\"Ij@db/app", True, "Ol5'Pk9\"Ij", 'Pk9"Ij'),
    _case("at-in-user", "postgres://me@corp:Wd3Ef7Rg@db/app", True, "Wd3Ef7Rg"),
    _case("query-password", "postgres://app@db/app?password=Zt6Mx2Qp", True, "Zt6Mx2Qp"),
    _case(
        "query-sslpassword",
        "postgres://app:Fy3Nc7Lw@db/app?sslmode=require&sslpassword=Oe5Vd9Hk",
        True,
        "Fy3Nc7Lw",
        "Oe5Vd9Hk",
    ),
    # dj-database-url turns an all-digit option into an int.
    _case("query-password-int", "postgres://app@db/app?password=48151623", True, "48151623"),
    _case(
        "query-password-twice",
        "postgres://app@db/app?password=Kp4Rw8Tz&password=Bm2Qx6Jy",
        True,
        "Kp4Rw8Tz",
        "Bm2Qx6Jy",
    ),
    _case("query-encoded-name", "postgres://app@db/app?pass%77ord=Vn3Hs7Wq", True, "Vn3Hs7Wq"),
    _case(
        "query-key-token-secret",
        "postgres://app@db/app?api_key=Ay5Lq9Cz&auth_token=Dr2Wk6Fx&client_secret=Jm8Pt4Gv",
        True,
        "Ay5Lq9Cz",
        "Dr2Wk6Fx",
        "Jm8Pt4Gv",
    ),
    _case("query-fragment", "postgres://app@db/app?password=Bg6Nh2Mj#frag", True, "Bg6Nh2Mj"),
    _case("ipv6", "postgres://app:Xc5Bn9Mv@[::1]:5432/app", True, "Xc5Bn9Mv"),
    _case("ipv6-raw-slash", "postgres://app:Yt7/Qw3e@[2001:db8::1]:5432/app", False, "Yt7/Qw3e"),
    _case("ipv6-unclosed", "postgres://app:Sd4Gh8Jk@[::1/app", False, "Sd4Gh8Jk"),
    _case("no-scheme", "app:Nb6Vc2Xz@db:5432/app", False, "Nb6Vc2Xz"),
    _case("no-colon-scheme", "postgres//app:Lp3Ko9Ij@db/app", False, "Lp3Ko9Ij"),
    _case("one-slash-scheme", "postgres:/app:Qa1Ws5Ed@db/app", False, "Qa1Ws5Ed"),
    _case("forgotten-host", "postgres://app:Rf4Tg8Yh/app", False, "Rf4Tg8Yh"),
    _case("bad-port", "postgres://app:Tg5Yh9Uj@db:port/app", False, "Tg5Yh9Uj"),
    _case("unknown-scheme", "mysqlx://admin:Hy6Uj0Ik@db/app", False, "Hy6Uj0Ik"),
    _case("redis-as-database", "redis://:Mk9Nj3Bh@cache:6379/0", False, "Mk9Nj3Bh"),
)

#: django-redis LOCATIONs; the host is the real Redis when its port is 6379.
REDIS_URLS = (
    _case("redis-password", "redis://:Cv5Bn1Mq@127.0.0.1:6379/0", True, "Cv5Bn1Mq"),
    _case("redis-user", "redis://default:Xs2Dc6Fv@127.0.0.1:6379/0", True, "Xs2Dc6Fv"),
    _case("redis-raw-slash", "redis://:Gt7k/Hy3Ju@127.0.0.1:6379/0", False, "Gt7k/Hy3Ju"),
    _case(
        "redis-encoded-slash",
        "redis://:Ki8%2FLo4Pa@127.0.0.1:6379/0",
        True,
        "Ki8/Lo4Pa",
        "Ki8%2FLo4Pa",
    ),
    _case("redis-query", "redis://127.0.0.1:6379/0?password=Nm3Bv7Cx", True, "Nm3Bv7Cx"),
    _case("redis-closed-port", "redis://:Rt6Yu0Io@127.0.0.1:1/0", True, "Rt6Yu0Io"),
    _case("redis-no-colon", "redis//:Pl2Ok6Ij@127.0.0.1:6379/0", False, "Pl2Ok6Ij"),
    _case("redis-raw-hash", "redis://:Aw4#Se8Dr@127.0.0.1:6379/0", False, "Aw4#Se8Dr"),
)

#: DJANGO_SECRET_KEY values that look like URLs, quotes or escapes.
SECRET_KEYS = (
    _case("key-url", "postgres://x:Kr9Lm@Np/Qz7Wt" + "Rs" * 25, True, "Kr9Lm@Np/Qz7Wt"),
    _case("key-quotes", "Vb5'Nm\"Jk\\Hg3" + "Lp" * 25, True, "Vb5'Nm\"Jk\\Hg3"),
    _case("key-percent", "Wq%2F8Zx%40Cv" + "Ty" * 25, True, "Wq%2F8Zx%40Cv"),
)

ALL = DATABASE_URLS + REDIS_URLS + SECRET_KEYS
#: A DJANGO_SECRET_KEY that passes Django's strength rule, for the URL cases.
STRONG_SECRET_KEY = "security-tests-only-not-secret-" + "Zy" * 20


def pieces(secret: str) -> set[str]:
    """The secret and every piece of it :data:`PIECE` characters long that is no
    hex-only run."""
    found = {secret}
    for start in range(len(secret) - PIECE + 1):
        piece = secret[start : start + PIECE]
        if not _HEX_PIECE.fullmatch(piece.lower()):
            found.add(piece)
    return found


def leaks(output: str, cases: Iterable[Case]) -> list[str]:
    """Every secret piece of ``cases`` that occurs in ``output`` (``[]``: no leak)."""
    return sorted(
        {
            f"{case.label}: {piece!r}"
            for case in cases
            for secret in case.secrets
            for piece in pieces(secret)
            if piece in output
        }
    )

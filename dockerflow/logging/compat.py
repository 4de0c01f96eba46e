"""APIs kept only because python-dockerflow's ``dockerflow.logging`` has them.

The middleware reads the request id header itself (one ``META`` lookup); this helper
is for code written against python-dockerflow, such as other frameworks' request hooks.
"""

from __future__ import annotations

from collections.abc import Mapping

from dockerflow.logging.request_id import generate_request_id, is_valid_request_id

DEFAULT_HEADER_NAME = "X-Request-ID"


def _lookup_header(headers: Mapping[str, str], header_name: str) -> object:
    value = headers.get(header_name)
    if value is None and isinstance(headers, dict):
        # A plain dict is case-sensitive, unlike Django's request.headers.
        wanted = header_name.lower()
        for key, candidate in headers.items():
            if isinstance(key, str) and key.lower() == wanted:
                return candidate
    return value


def get_or_generate_request_id(headers: Mapping[str, str], header_name: str | None = None) -> str:
    """The request id from ``headers[header_name]`` if it is valid, else a new one.

    ``header_name`` defaults to ``X-Request-ID`` and is looked up case-insensitively
    (``headers`` may be Django's ``request.headers`` or a plain dict). An invalid
    incoming value is discarded, never returned.
    """
    value = _lookup_header(headers, header_name or DEFAULT_HEADER_NAME)
    if is_valid_request_id(value):
        return value  # type: ignore[return-value]
    return generate_request_id()

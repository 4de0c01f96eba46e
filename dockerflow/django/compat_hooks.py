"""python-dockerflow's middleware hooks, kept only for compatibility.

Django calls ``DockerflowMiddleware.__call__`` and never these. python-dockerflow's
middleware was an old-style one, and code (and tests) written for it call
``process_request``, ``process_exception`` and ``process_response`` by hand: this
mixin keeps them working on top of the middleware's own steps (``_begin``, ``_log``,
``_end``), so the two paths cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase

from dockerflow.logging.request_id import request_id_context

# Per-request state kept on the request (its __dict__, which Django never clears).
TOKEN_KEY = "_dockerflow_rid_token"
EXCEPTION_KEY = "_dockerflow_exception"


class PythonDockerflowHooks:
    """``process_request`` / ``process_exception`` / ``process_response``, as in
    python-dockerflow. Whatever another middleware did to ``request._id`` and
    ``request._start_timestamp`` between them, these read them back from the request.
    """

    # Provided by DockerflowMiddleware.
    _begin: Any
    _log: Any
    _end: Any

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        """Start the request (id, timer); return the response for a Dockerflow endpoint.

        An endpoint's exception propagates, as in python-dockerflow (``/__error__``
        raises on purpose); the request id is reset first.
        """
        config, _, _, token = self._begin(request)
        view = config.endpoints.get(request.path_info)
        request.__dict__[TOKEN_KEY] = token
        if view is None:
            return None
        try:
            return view(request)  # type: ignore[no-any-return]
        except BaseException:
            del request.__dict__[TOKEN_KEY]
            self._end(token)
            raise

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Remember the view's exception for the summary; let Django handle it."""
        request.__dict__[EXCEPTION_KEY] = exception

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase | None
    ) -> HttpResponseBase | None:
        """Log the ``request.summary`` record and reset the request id."""
        state = request.__dict__
        token = state.pop(TOKEN_KEY, None)
        try:
            rid = state.get("_id") or request_id_context.get()
            self._log(request, response, rid, state.get("_start_timestamp"), None)
        finally:
            if token is not None:
                self._end(token)
        return response

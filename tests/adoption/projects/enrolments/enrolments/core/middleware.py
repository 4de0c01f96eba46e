"""Middleware of the enrolments project."""

from dockerflow.django.middleware import DockerflowMiddleware


class EnrolmentsDockerflowMiddleware(DockerflowMiddleware):
    """DockerflowMiddleware whose summary never reads ``request.user``.

    Reading it runs the JWT authentication, which creates the user on first sight.
    ``_build_extra_meta`` is the hook python-dockerflow builds the summary with.
    """

    def _build_extra_meta(self, request):
        headers = request.META
        extra = {
            "errno": 0,
            "method": request.method,
            "path": request.path,
            "agent": headers.get("HTTP_USER_AGENT", ""),
            "lang": headers.get("HTTP_ACCEPT_LANGUAGE", ""),
        }
        rid = getattr(request, "_id", None)
        if rid is not None:
            extra["rid"] = rid
        return extra

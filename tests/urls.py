"""URLs for the runtime tests: a few views that behave the way real ones do."""

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.urls import path


def ok(request):
    return HttpResponse("ok")


def not_found(request):
    raise Http404("no such thing")


def forbidden(request):
    raise PermissionDenied("not yours")


def bad_request(request):
    raise BadRequest("malformed")


def suspicious(request):
    raise SuspiciousOperation("tampered")


def boom(request):
    raise ValueError("boom")


def unavailable(request):
    return HttpResponse("down", status=503)


def touch_user(request):
    # Loads the lazy user, as a real view that checks permissions would.
    return HttpResponse(str(request.user.is_authenticated))


urlpatterns = [
    path("ok/", ok),
    path("not-found/", not_found),
    path("forbidden/", forbidden),
    path("bad-request/", bad_request),
    path("suspicious/", suspicious),
    path("boom/", boom),
    path("unavailable/", unavailable),
    path("user/", touch_user),
]

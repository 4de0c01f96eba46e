import uuid

from django.contrib.auth import get_user_model


class APITokenAuthenticationMiddleware:
    """Signs a request in by its Auth-Token header (no session involved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.META.get("HTTP_AUTH_TOKEN")
        if token:
            request.user = get_user_model().objects.filter(username=token).first()
        return self.get_response(request)


class ResponseErrorIdMiddleware:
    """Gives each 5xx response an id to quote when reporting it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500:
            response["X-Error-Id"] = uuid.uuid4().hex
        return response

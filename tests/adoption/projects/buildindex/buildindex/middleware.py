import time


class StatsMiddleware:
    """Tells the client how long the view took."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Response-Time"] = int((time.monotonic() - started) * 1000)
        return response

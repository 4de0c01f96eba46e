"""The example service's project package (settings, URLs, WSGI/ASGI entry points)."""

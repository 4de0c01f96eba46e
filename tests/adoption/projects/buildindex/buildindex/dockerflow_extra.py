from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def check_search(app_configs, **kwargs):
    """The search cluster's URLs must at least name a host."""
    return [
        checks.Error(f"{url!r} names no host", id="buildindex.health.E001")
        for url in settings.SEARCH_URLS
        if not urlsplit(url).hostname
    ]

from django.conf import settings
from django.core import checks


def check_storage_urls(app_configs, **kwargs):
    """Every configured symbol source must be a URL."""
    errors = []
    for url in settings.SYMBOL_URLS:
        if not url.startswith(("http://", "https://")):
            errors.append(checks.Error(f"{url!r} is not a URL", id="symbolserver.health.E001"))
    return errors

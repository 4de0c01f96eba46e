import logging
import re

from django.conf import settings
from django.contrib.auth.middleware import RemoteUserMiddleware
from django.http import HttpResponsePermanentRedirect
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control
from whitenoise.middleware import WhiteNoiseMiddleware

logger = logging.getLogger(__name__)


def request_received_at_middleware(get_response):
    """Notes on the request when Django received it."""

    def middleware(request):
        request.received_at = timezone.now()
        return get_response(request)

    return middleware


class ConfigurableRemoteUserMiddleware(RemoteUserMiddleware):
    """RemoteUserMiddleware reading its header name from the settings."""

    @property
    def header(self):
        return settings.OIDC_REMOTE_AUTH_HEADER


class RecipeWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """The front-end build names its bundles ``<name>.<content hash>.<ext>``: caches
    may keep those for good."""

    bundle = re.compile(r"\.[0-9a-f]{16,32}\.(js|css|map|woff2?)$")

    def immutable_file_test(self, path, url):
        return url.startswith(self.static_prefix) and bool(self.bundle.search(url))


class CachedPermanentRedirect(HttpResponsePermanentRedirect):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        patch_cache_control(self, public=True, max_age=settings.PERMANENT_REDIRECT_CACHE_TIME)


class RecipeCommonMiddleware(CommonMiddleware):
    """APPEND_SLASH redirects carry cache headers."""

    response_redirect_class = CachedPermanentRedirect


class RecipeSecurityMiddleware(SecurityMiddleware):
    """Logs HTTP to HTTPS redirects and lets caches keep them."""

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            patch_cache_control(response, public=True, max_age=settings.HTTPS_REDIRECT_CACHE_TIME)
            logger.debug("redirected %s to HTTPS", request.path)
        return response

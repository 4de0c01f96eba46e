import logging

from django.contrib.auth.backends import ModelBackend, RemoteUserBackend

logger = logging.getLogger(__name__)


class LoggingAuthBackendMixin:
    """Logs every authentication attempt."""

    def authenticate(self, request, *args, **kwargs):
        user = super().authenticate(request, *args, **kwargs)
        logger.info("authentication %s", "succeeded" if user else "failed")
        return user


class LoggingModelBackend(LoggingAuthBackendMixin, ModelBackend):
    pass


class LoggingRemoteUserBackend(LoggingAuthBackendMixin, RemoteUserBackend):
    pass

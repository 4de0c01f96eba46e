"""The Dockerflow Django app: ``INSTALLED_APPS += ["dockerflow.django"]``."""

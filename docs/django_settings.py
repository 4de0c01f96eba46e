"""Minimal Django settings so autodoc can import the Django modules."""

SECRET_KEY = "docs-build-only"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "dockerflow.django"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True

"""A hand-written plain ``settings.py`` equivalent to the example's ``Prod`` configuration.

``plain_prod_settings.py`` (on ``PYTHONPATH`` by itself, next to the example project)
is what a project without ``DockerflowConfiguration`` would write to get the same
settings. ``benchmarks/run.py`` compares every setting of the two before timing them
and reports any difference.
"""

from __future__ import annotations

#: The environment both are loaded with (what the example's Prod requires).
PROD_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "benchmark-only-secret-" + "k" * 40,
    "DJANGO_ALLOWED_HOSTS": "example.com,www.example.com",
    "DATABASE_URL": "sqlite:////tmp/bench-settings-load.sqlite3",
}

#: Names only the mixin defines: its own inputs (read while it computes the other
#: settings) and django-configurations' bookkeeping. Nothing at run time reads them,
#: so the plain file leaves them out and the comparison skips them.
MIXIN_ONLY = frozenset(
    {
        "CONFIGURATION",
        "CONN_HEALTH_CHECKS",
        "CONN_MAX_AGE",
        "DOTENV_LOADED",
        "LOGGING_DEFAULT_LEVEL",
        "LOGGING_LOGGER_NAME",
        "LOGGING_USE_JSON",
        "STATICFILES_MANIFEST",
    }
)

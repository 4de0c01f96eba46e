"""Run one documentation example (read from stdin) the way a reader would use it.

Run in a subprocess by ``test_examples.py``, in a temporary working directory. The
code runs as a module named ``docs_example``. Afterwards:

* a module-level ``LOGGING`` dict is passed to ``logging.config.dictConfig`` and one
  record is logged through each logger it configures;
* a module-level ``INSTALLED_APPS`` means the code is a settings module: Django is
  configured with its upper-case names and set up, and when ``dockerflow.django``
  is installed the runtime's settings are validated as the middleware and the
  heartbeat would.

Exit status 0 means the example works; anything else is reported with its output.
"""

from __future__ import annotations

import logging
import logging.config
import sys
import types


def main() -> None:
    code = sys.stdin.read()
    module = types.ModuleType("docs_example")
    module.__file__ = "docs_example.py"
    sys.modules["docs_example"] = module
    exec(compile(code, "docs_example.py", "exec"), module.__dict__)
    namespace = module.__dict__

    if isinstance(namespace.get("LOGGING"), dict):
        config = namespace["LOGGING"]
        logging.config.dictConfig(config)
        for name in config.get("loggers", {}):
            logging.getLogger(name).info("docs example record", extra={"example": True})

    if "INSTALLED_APPS" in namespace:
        import django
        from django.conf import settings

        settings.configure(**{key: value for key, value in namespace.items() if key.isupper()})
        django.setup()
        if "dockerflow.django" in settings.INSTALLED_APPS:
            # Validates every DOCKERFLOW_* value the example sets (ImproperlyConfigured).
            from dockerflow.django import conf, heartbeat, middleware, views

            heartbeat.get_config()
            middleware.middleware_config()
            conf.valid("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE")
            views.version_callback()


if __name__ == "__main__":
    main()

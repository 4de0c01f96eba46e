#!/bin/sh
# The image's entry point.
#   web [GUNICORN OPTIONS]  serve the example with gunicorn on $PORT (the default CMD): its
#                           WSGI application, or its ASGI one when
#                           DJANGO_SERVER_WORKER_CLASS=uvicorn
#   manage COMMAND [ARGS]   run a manage.py command, e.g. `manage migrate`
#   anything else           run it as given, e.g. `bash`
set -eu
command="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$command" in
    web)
        case "$(printf %s "${DJANGO_SERVER_WORKER_CLASS:-}" | tr -d '[:space:]' | tr '[:upper:]' '[:lower:]')" in
            uvicorn) application=example.asgi:application ;;
            *) application=example.wsgi ;;
        esac
        exec python -m dockerflow_settings.gunicorn "$@" "$application" ;;
    manage) exec python manage.py "$@" ;;
    *) exec "$command" "$@" ;;
esac

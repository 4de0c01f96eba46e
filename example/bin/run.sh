#!/bin/sh
# The image's entry point.
#   web [GUNICORN OPTIONS]  serve the example with gunicorn on $PORT (the default CMD)
#   manage COMMAND [ARGS]   run a manage.py command, e.g. `manage migrate`
#   anything else           run it as given, e.g. `bash`
set -eu
command="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$command" in
    web) exec python -m dockerflow_settings.gunicorn "$@" example.wsgi ;;
    manage) exec python manage.py "$@" ;;
    *) exec "$command" "$@" ;;
esac

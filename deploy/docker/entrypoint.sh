#!/bin/sh
# The image's entrypoint: one image, one role per container (compose.yaml, docs/deployment.md "Containers").
#   web        gunicorn with config/gunicorn.py (WEB_BIND, WEB_WORKERS, … from the environment)
#   worker     manage.py run_worker (the TASKS_BACKEND's worker, with its heartbeat)
#   scheduler  manage.py run_scheduler (exactly one per deployment)
#   migrate    manage.py migrate, createcachetable, then check --deploy: run once per release, before the others
#   manage …   any other management command (`docker compose run --rm web manage verify_ledger`)
# Anything else is run as given (`sh`, for a look around).
set -eu

# The static files were collected into the image at build time (/srv/coalition/static); STATIC_ROOT is
# $COALITION_VAR_DIR/staticfiles, so a var/ volume or bind mount gets a link to the image's copy, the current one.
var_dir="${COALITION_VAR_DIR:-/srv/coalition/var}"
if [ ! -e "$var_dir/staticfiles" ] && [ ! -L "$var_dir/staticfiles" ] && [ -w "$var_dir" ]; then
    ln -s /srv/coalition/static "$var_dir/staticfiles"
fi

role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
    web)
        exec gunicorn -c config/gunicorn.py config.wsgi "$@"
        ;;
    worker)
        exec python manage.py run_worker "$@"
        ;;
    scheduler)
        exec python manage.py run_scheduler "$@"
        ;;
    migrate)
        python manage.py migrate --noinput
        python manage.py createcachetable
        exec python manage.py check --deploy
        ;;
    manage)
        exec python manage.py "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac

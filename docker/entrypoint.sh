#!/bin/sh
# Container entrypoint (also run by the test suite outside Docker): migrate, then serve.
set -eu
harbour db upgrade
exec gunicorn "app.main:create_app()" \
  --worker-class uvicorn.workers.UvicornWorker \
  --bind "${HARBOUR_BIND:-0.0.0.0:8000}" \
  --workers "${HARBOUR_WORKERS:-2}" \
  --forwarded-allow-ips "" \
  --access-logfile - \
  "$@"

# Production image: PostgreSQL via HARBOUR_DATABASE_URL, gunicorn with uvicorn workers, non-root.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HARBOUR_ENVIRONMENT=production

WORKDIR /srv/harbour
RUN groupadd --system harbour && useradd --system --gid harbour --home /srv/harbour harbour

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY moderation ./moderation
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY translations ./translations
COPY docker/entrypoint.sh /usr/local/bin/harbour-entrypoint
RUN pip install -e . && chmod 0755 /usr/local/bin/harbour-entrypoint

USER harbour
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
ENTRYPOINT ["harbour-entrypoint"]

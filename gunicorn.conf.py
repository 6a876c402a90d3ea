"""gunicorn settings of the API; every value can be overridden from the environment."""

import os

from settings import load_settings

_settings = load_settings()

bind = os.environ.get("GUNICORN_BIND", f"{_settings.host}:{_settings.port}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "uvicorn_worker.UvicornWorker"
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "20"))
timeout = int(os.environ.get("WORKER_TIMEOUT", "30"))
keepalive = 5
wsgi_app = "app:create_app()"
# Each worker builds its own app after the fork: engines and broker connections are never shared.
preload_app = False
accesslog = None

"""gunicorn settings of the API; every value can be overridden from the environment."""

import gc
import os
import shutil
import tempfile
import warnings
from pathlib import Path

# prometheus-client multiprocess mode: every worker writes its samples under one directory, which
# /metrics sums. prometheus_client picks its storage when first imported, so the variable must be
# set before that import, here in the master, and the directory must start empty.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="items-metrics-")

from prometheus_client import multiprocess  # noqa: E402 - must follow the variable above

from observability.json_logs import logging_config  # noqa: E402
from observability.tracing import check_tracing_config, start_tracing  # noqa: E402
from settings import load_settings, served_base_url  # noqa: E402

# Connexion imports Starlette's test client on import. With httpx alone installed (the image installs
# requirements.txt only), Starlette warns about that client, which this service never uses, on stderr
# and outside the JSON logs of every worker. The filter is set here, before the workers fork.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

bind = os.environ.get("GUNICORN_BIND", "")
if bind and not os.environ.get("PUBLIC_BASE_URL") and not bind.startswith(("unix:", "fd:")):
    # Without a public address, event and schema URLs point where this server listens.
    _host, _, _port = bind.rpartition(":")
    os.environ["PUBLIC_BASE_URL"] = served_base_url(_host.strip("[]"), _port)
_settings = load_settings()
check_tracing_config()  # a bad OTEL_* value stops the master now, not each worker as it boots
bind = bind or f"{_settings.host}:{_settings.port}"
# Each worker serves one request at a time on its event loop (api/inline_wsgi.py): while one waits on
# the database only another process can use the core: 2 x cores (docs/deployment.md, "Serving model").
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# uvicorn's worker with a limit on request heads (MAX_HEADER_BYTES), which gunicorn's limit_request_* do not give.
worker_class = "api.header_limit.ItemsUvicornWorker"
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "20"))
timeout = int(os.environ.get("WORKER_TIMEOUT", "30"))
keepalive = 5
wsgi_app = "app:create_app()"
# Each worker builds its own app after the fork: engines and broker connections are never shared.
preload_app = False
accesslog = None
logconfig_dict = logging_config("api", _settings.log_level)


def on_starting(_server: object) -> None:
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)


def post_worker_init(_worker: object) -> None:
    # After the fork: the span exporter's thread must belong to this worker (a no-op without OTEL_*).
    start_tracing("items-api")
    # The app just built lives as long as the worker; frozen, it is left out of the collector's
    # full passes, which otherwise walk ~100,000 objects and stall requests for tens of ms.
    gc.collect()
    gc.freeze()


def child_exit(_server: object, worker: object) -> None:
    # Imported at the top: importing inside a signal handler can meet a half-initialised module.
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def on_exit(_server: object) -> None:
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)

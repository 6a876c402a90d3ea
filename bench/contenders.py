"""The servers compared: the Items service (with and without its JWT check) and two idiomatic peers."""

from __future__ import annotations

from collections.abc import Mapping

from bench.bearer_token import bearer_headers, jwt_environment
from bench.options import CONTENDERS, BenchOptions
from bench.paths import WORK_DIR
from bench.servers import RunningServer, ServerSpec
from bench.shipped_probe import check_validates_requests

UVICORN_WORKER = ("--worker-class=uvicorn_worker.UvicornWorker",)
SERVICE_CONFIG = "gunicorn.conf.py"
PEER_CONFIG = "python:bench.peers.gunicorn_settings"
AS_CONFIGURED = ""
"""No app on the command line: gunicorn serves the one gunicorn.conf.py names."""
OURS = "ours"
OURS_WITH_JWT = "ours-jwt"
NAIVE_PUBLISH = "naive"
EVENTS_DATABASE = "events"
"""The database of the scenarios that run the relay: its own, so that no other relay holds its lock."""


def ours(with_jwt: bool = False) -> ServerSpec:
    """The service as shipped (the app and worker class of its gunicorn.conf.py); only bind and workers are set."""
    # Its gunicorn.conf.py empties this directory on start; by default it makes a new temporary one each time.
    metrics = {"PROMETHEUS_MULTIPROC_DIR": str(WORK_DIR / "prometheus")}
    if with_jwt:
        environment = {**metrics, **jwt_environment()}
        label = "Items service, JWT check and access log on"
        return ServerSpec(OURS_WITH_JWT, label, AS_CONFIGURED, SERVICE_CONFIG, (), environment, True)
    # Like the peers: no token check and no per-request access log line; `ours-jwt` keeps both on.
    environment = {**metrics, "AUTH_ENABLED": "false", "ACCESS_LOG": "false"}
    label = "Items service (Connexion 3)"
    return ServerSpec(OURS, label, AS_CONFIGURED, SERVICE_CONFIG, (), environment)


def contenders(options: BenchOptions) -> tuple[ServerSpec, ...]:
    """The chosen contenders, the service first: ratios are the service's figures over each other's."""
    flask = ServerSpec(
        "flask",
        f"Flask + SQLAlchemy (gthread, {options.flask_threads} threads)",
        "bench.peers.flask_peer:create_app()",
        PEER_CONFIG,
        ("--worker-class=gthread", f"--threads={options.flask_threads}"),
    )
    fastapi = ServerSpec(
        "fastapi",
        f"FastAPI + SQLAlchemy (sync, {options.fastapi_threads} threads)",
        "bench.peers.fastapi_peer:create_app()",
        PEER_CONFIG,
        UVICORN_WORKER,
        {"PEER_THREADS": str(options.fastapi_threads)},
    )
    every = {spec.name: spec for spec in (ours(), ours(with_jwt=True), flask, fastapi)}
    return tuple(every[name] for name in CONTENDERS if name in options.contenders)


def naive_publish_peer(options: BenchOptions) -> ServerSpec:
    """FastAPI peer that publishes each event inside the request, waiting for the broker's confirm."""
    return ServerSpec(
        NAIVE_PUBLISH,
        f"FastAPI + SQLAlchemy, blocking publish with confirm in the request (sync, {options.fastapi_threads} threads)",
        "bench.peers.naive_publish_peer:create_app()",
        PEER_CONFIG,
        UVICORN_WORKER,
        {"PEER_THREADS": str(options.fastapi_threads)},
    )


def server_environment(database_url: str, options: BenchOptions) -> dict[str, str]:
    """The same database settings for every contender, through the service's own variables."""
    return {"DATABASE_URL": database_url, "DB_POOL_SIZE": str(options.pool_size)}


def events_environment(database_url: str, options: BenchOptions, exchange: str) -> dict[str, str]:
    """`server_environment` plus the broker and the bench's own events exchange (servers and relay alike)."""
    return {**server_environment(database_url, options), "AMQP_URL": options.amqp_url, "EVENTS_EXCHANGE": exchange}


def request_headers(spec: ServerSpec) -> Mapping[str, str]:
    return bearer_headers() if spec.sends_bearer_token else {}


def check_as_shipped(server: RunningServer) -> None:
    """The service's figures count only with its request validation on; the peers validate their own way."""
    if server.spec.config == SERVICE_CONFIG:
        check_validates_requests(server, request_headers(server.spec))

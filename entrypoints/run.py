"""`make run`: the API under gunicorn, the event relay and the example consumer, kept running together.

A child that dies is restarted with a growing delay and one line on stderr, while the others go on
serving; SIGINT (Ctrl-C) or SIGTERM stops them all. Every child talks to the same broker and
exchange: the example consumer gets the service's AMQP_URL and EVENTS_EXCHANGE, and fetches writer
schemas from this API, unless its own CATALOG_* variables say otherwise, which is then said once at start.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Mapping
from types import FrameType

from entrypoints.supervisor import Child, Supervisor, log_to_stderr
from items_events.broker_addresses import redact_passwords
from settings import Settings, load_settings
from wiring.messaging import schemas_url

COMMANDS = {
    "api": [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
    "relay": [sys.executable, "-m", "entrypoints.relay"],
    "catalog": [sys.executable, "-m", "examples.catalog_projection", "run"],
}


def catalog_environment(settings: Settings, environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The consumer's environment, and a warning for each CATALOG_* variable that points elsewhere."""
    env = dict(environ)
    warnings = []
    for variable, ours, setting in (
        ("CATALOG_AMQP_URL", settings.amqp_url, "AMQP_URL"),
        ("CATALOG_EXCHANGE", settings.events_exchange, "EVENTS_EXCHANGE"),
        ("CATALOG_SCHEMAS_URL", schemas_url(settings), "PUBLIC_BASE_URL"),
    ):
        theirs = environ.get(variable)
        if theirs is None:
            env[variable] = ours
        elif theirs != ours:
            warnings.append(
                f"{variable}={redact_passwords(theirs)} differs from what {setting} gives "
                f"({redact_passwords(ours)}): "
                "the example consumer does not use this service's broker, exchange or schemas"
            )
    return env, warnings


def main() -> int:
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    settings = load_settings()
    catalog_env, warnings = catalog_environment(settings, os.environ)
    for warning in warnings:
        log_to_stderr(warning)
    children = [
        Child("api", COMMANDS["api"]),
        Child("relay", COMMANDS["relay"]),
        Child("catalog", COMMANDS["catalog"], env=catalog_env),
    ]
    print(f"items service on http://{settings.host}:{settings.port}/ui", flush=True)
    Supervisor(children).run(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())

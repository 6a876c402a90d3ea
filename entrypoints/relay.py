"""`python -m entrypoints.relay`: publishes the outbox to RabbitMQ until SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType


def main() -> int:
    # Signals first: an orchestrator may stop the relay while it is still starting up, and that
    # must be a clean exit, not death by the default SIGTERM action.
    stop_requested = threading.Event()
    service = None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stop_requested.set()
        if service is not None:
            service.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    import logging

    from observability.json_logs import configure_logging
    from observability.metrics import serve_metrics
    from observability.tracing import start_tracing
    from relay.composition import build_relay
    from settings import load_settings

    settings = load_settings()
    configure_logging("relay", settings.log_level)
    # pika logs every connection step, and a traceback for each broken socket; the relay
    # logs each outage once, with its cause and the reconnect delay.
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    serve_metrics(settings.metrics_port)
    start_tracing("items-relay")
    service = build_relay(settings)
    if not stop_requested.is_set():
        service.run()
    logging.getLogger(__name__).info("relay stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

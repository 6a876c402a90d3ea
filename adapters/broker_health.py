"""Readiness check of RabbitMQ: can a connection to one of its nodes be opened right now?"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pika
from pika.exceptions import AMQPError

from items_events.broker_addresses import broker_parameters
from providers.health_provider import CheckResult

BROKER_TIMEOUT_S = 2.0
CACHE_S = 5.0


class BrokerCheck:
    """Not critical: writes keep working without the broker (the outbox holds their events).

    A probe opens and closes a short-timeout connection to the first node of `amqp_url`
    that answers; the answer is reused for `cache_s` seconds so that frequent probes from
    many workers stay cheap.
    """

    name = "broker"
    critical = False

    def __init__(self, amqp_url: str, cache_s: float = CACHE_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._addresses = broker_parameters(amqp_url)
        for parameters in self._addresses:
            parameters.socket_timeout = BROKER_TIMEOUT_S
            parameters.stack_timeout = BROKER_TIMEOUT_S
            parameters.blocked_connection_timeout = BROKER_TIMEOUT_S
            parameters.connection_attempts = 1
        self._cache_s = cache_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, CheckResult] | None = None

    def check(self) -> CheckResult:
        with self._lock:  # one probe at a time; the others read its answer
            if self._cached is not None and self._clock() - self._cached[0] < self._cache_s:
                return self._cached[1]
            result = self._probe()
            self._cached = (self._clock(), result)
            return result

    def _probe(self) -> CheckResult:
        try:
            pika.BlockingConnection(self._addresses).close()
        except (AMQPError, OSError) as exc:
            return CheckResult(False, f"broker unavailable: {type(exc).__name__}")
        return CheckResult(True)

"""What the consumer does after a failure, decided once, by the type of the exception.

- Broker outage (any pika `AMQPError`, including a consumer the broker cancelled):
  reconnect after a backoff; the relay's classification decides how soon, so a
  configuration problem (refused credentials, 406 on a declaration) waits the capped delay.
- Outage of what handling needs: the database (`OperationalError`, `InterfaceError`,
  pool timeout, a dropped connection) or the producer's schema endpoint: keep the batch
  unacked and retry it after a backoff. Returning the messages would spend their
  delivery attempts on an outage that no message caused.
- Any other exception a handler raises: that message failed (`BatchProcessor` requeues it).
- Anything else that escapes the runner is a bug: it propagates and the process exits.
"""

from __future__ import annotations

import logging

from pika.exceptions import AMQPError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from items_events.backoff import Backoff
from items_events.reconnect_policy import ReconnectPolicy
from items_events.writer_schemas import SchemaServiceUnavailable

log = logging.getLogger(__name__)


def is_dependency_outage(reason: BaseException) -> bool:
    """The database or the schema endpoint is down: no message is at fault."""
    if isinstance(reason, (OperationalError, InterfaceError, PoolTimeoutError, SchemaServiceUnavailable)):
        return True
    return isinstance(reason, DBAPIError) and reason.connection_invalidated


def is_broker_outage(reason: BaseException) -> bool:
    return isinstance(reason, AMQPError)


class Recovery:
    """Turns each outage into a delay, with one backoff per dependency; re-raises anything else."""

    def __init__(self, broker: Backoff | None = None, dependency: Backoff | None = None) -> None:
        self._broker = ReconnectPolicy(broker, client="consumer")
        self._dependency = dependency or Backoff()

    def delay_after(self, reason: BaseException) -> float:
        if is_broker_outage(reason):
            return self._broker.delay_after(reason)
        if is_dependency_outage(reason):
            delay = self._dependency.next_delay()
            log.warning("%s; retrying the batch in %.1fs", reason, delay)
            return delay
        raise reason

    def broker_recovered(self) -> None:
        self._broker.recovered()

    def dependency_recovered(self) -> None:
        self._dependency.reset()

"""How long to wait before reconnecting, decided once, by the type of what went wrong.

A client (the relay, a consumer) gives up on nothing: every outage ends in another attempt.
The type of the failure only decides how soon, and how loudly it is logged: a broker
restart or a lost socket is retried quickly, with a backoff capped at a few seconds so that
a client is back within moments of its broker; refused credentials, a missing vhost or a
conflicting declaration need a human, so they are logged as errors and retried slowly.
"""

from __future__ import annotations

import logging
from enum import Enum

from pika import exceptions
from pika.adapters.utils.connection_workflow import AMQPConnectionWorkflowFailed, AMQPConnectorPhaseErrorBase

from items_events.backoff import Backoff

log = logging.getLogger(__name__)

# AMQP reply codes that mean "fix the configuration", not "try again soon":
# 403 access refused, 404 not found, 406 precondition failed (e.g. an exchange that
# exists with other arguments), 530 not allowed (e.g. an unknown vhost).
_CONFIGURATION_REPLY_CODES = frozenset({403, 404, 406, 530})
# Not IncompatibleProtocolError: pika also raises it for a socket closed during the
# handshake, which a flaky network or a restarting broker does.
_CONFIGURATION_ERRORS = (
    exceptions.ProbableAuthenticationError,
    exceptions.ProbableAccessDeniedError,
    exceptions.AuthenticationError,
)


TRANSIENT_INITIAL_S = 0.25
TRANSIENT_CAP_S = 5.0
REFUSED_DELAY_S = 30.0


class Outage(Enum):
    """Why the broker connection is gone, as far as reconnecting is concerned."""

    TRANSIENT = "transient"
    MISCONFIGURED = "misconfigured"


def classify(reason: BaseException) -> Outage:
    """The one place that maps pika's exceptions to a reconnect behaviour.

    A failed attempt on several nodes is misconfigured if any node refused it for that.
    """
    if isinstance(reason, AMQPConnectionWorkflowFailed):
        attempts = [classify(attempt) for attempt in reason.exceptions]
        return Outage.MISCONFIGURED if Outage.MISCONFIGURED in attempts else Outage.TRANSIENT
    if isinstance(reason, AMQPConnectorPhaseErrorBase):  # one node's attempt, failed at one step
        return classify(reason.exception)
    if isinstance(reason, _CONFIGURATION_ERRORS):
        return Outage.MISCONFIGURED
    closed_by_broker = (exceptions.ChannelClosedByBroker, exceptions.ConnectionClosedByBroker)
    if isinstance(reason, closed_by_broker) and reason.reply_code in _CONFIGURATION_REPLY_CODES:
        return Outage.MISCONFIGURED
    return Outage.TRANSIENT


class ReconnectPolicy:
    """Turns each outage into a delay; `recovered()` after a healthy spell restarts the backoff."""

    def __init__(
        self, backoff: Backoff | None = None, client: str = "relay", refused: Backoff | None = None
    ) -> None:
        self._backoff = backoff or Backoff(initial_s=TRANSIENT_INITIAL_S, cap_s=TRANSIENT_CAP_S)
        self._refused = refused or Backoff(initial_s=REFUSED_DELAY_S, cap_s=REFUSED_DELAY_S)
        self._client = client

    def delay_after(self, reason: BaseException) -> float:
        if classify(reason) is Outage.MISCONFIGURED:
            delay = self._refused.next_delay()
            log.error(
                "broker refused the %s (%r); fix the configuration; retrying in %.1fs", self._client, reason, delay
            )
        else:
            delay = self._backoff.next_delay()
            log.warning("broker connection lost (%r); reconnecting in %.1fs", reason, delay)
        return delay

    def recovered(self) -> None:
        self._backoff.reset()
        self._refused.reset()

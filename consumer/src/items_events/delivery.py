"""A message as the broker handed it over, and what becomes of it once processed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Outcome(Enum):
    """How a delivery is settled with the broker."""

    ACK = "ack"
    # Back to the queue; the quorum queue counts it against the delivery limit.
    REQUEUE = "requeue"
    # Straight to the dead-letter queue: retrying cannot make it readable.
    DEAD_LETTER = "dead-letter"


@dataclass(frozen=True, slots=True)
class Delivery:
    """The parts of one AMQP delivery the consumer reads."""

    delivery_tag: int
    body: bytes
    headers: Mapping[str, Any]
    message_id: str | None
    redelivered: bool
    exchange: str = ""
    routing_key: str = ""

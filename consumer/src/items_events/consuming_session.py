"""One broker connection's life: declare, consume in batches, settle, and on stop cancel and drain.

Each run connects to the first node of the configured list that answers, starting after
the node whose connection was lost last time, so a consumer moves to another node of
the cluster when its own goes; deliveries left unacked there come again from the queue.

pika calls `_on_message` from inside `process_data_events`; it only buffers. Batches
are processed between those calls, on the same thread, so no pika object is ever
touched from two places. Settling a batch rejects its failures one by one first,
then acks the rest with a single `multiple` ack: every earlier delivery tag on the
channel is already settled by then, and nothing is acked before its commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError, ConsumerCancelled
from pika.spec import Basic, BasicProperties

from items_events.batch_processor import BatchProcessor
from items_events.broker_addresses import Address, broker_parameters, first_answering, starting_after
from items_events.config import ConsumerConfig
from items_events.delivery import Delivery, Outcome
from items_events.queue_topology import declare_queue
from items_events.recovery import Recovery, is_dependency_outage

log = logging.getLogger(__name__)

# How often an idle consumer looks at its stop flag; also the worst-case reaction to SIGTERM.
IDLE_POLL_S = 0.25


class ConsumingSession:
    """Consumes until `should_stop()` turns true or the connection fails (the exception propagates)."""

    def __init__(
        self,
        config: ConsumerConfig,
        processor: BatchProcessor,
        recovery: Recovery,
        should_stop: Callable[[], bool],
    ) -> None:
        self._config = config
        self._processor = processor
        self._recovery = recovery
        self._should_stop = should_stop
        self._pending: list[Delivery] = []
        self._cancelled_by_broker = False
        self._addresses = broker_parameters(config.amqp_url)
        for parameters in self._addresses:
            parameters.heartbeat = config.heartbeat_s
            parameters.client_properties = {"connection_name": f"consumer:{config.queue}"}
        self._lost: Address | None = None

    def run(self) -> None:
        connection, node = first_answering(starting_after(self._addresses, self._lost))
        self._lost = None
        try:
            channel = connection.channel()
            declare_queue(channel, self._config)
            channel.basic_qos(prefetch_count=self._config.prefetch)
            channel.add_on_cancel_callback(self._on_cancelled)
            consumer_tag = channel.basic_consume(self._config.queue, self._on_message)
            self._recovery.broker_recovered()
            log.info("consuming %s bound to %s, on %s:%d", self._config.queue, ", ".join(self._config.bindings), *node)
            while not self._should_stop():
                if self._cancelled_by_broker:
                    raise ConsumerCancelled(f"the broker cancelled the consumer of {self._config.queue}")
                connection.process_data_events(time_limit=0 if self._pending else IDLE_POLL_S)
                self._drain(channel, connection)
            # Deliveries that arrive after the cancel are requeued by pika; those already
            # buffered are finished, so none is left unacked when the channel closes.
            channel.basic_cancel(consumer_tag)
            self._drain(channel, connection)
            channel.close()
        except AMQPError:
            self._lost = node  # the next run tries the other nodes first
            raise
        finally:
            self._pending.clear()  # their delivery tags die with the channel
            if connection.is_open:
                connection.close()

    def _on_message(
        self, _channel: BlockingChannel, method: Basic.Deliver, properties: BasicProperties, body: bytes
    ) -> None:
        self._pending.append(
            Delivery(
                delivery_tag=method.delivery_tag,
                body=body,
                headers=properties.headers or {},
                message_id=properties.message_id,
                redelivered=method.redelivered,
                exchange=method.exchange,
                routing_key=method.routing_key,
            )
        )

    def _on_cancelled(self, _frame: Any) -> None:
        self._cancelled_by_broker = True

    def _drain(self, channel: BlockingChannel, connection: pika.BlockingConnection) -> None:
        while self._pending:
            batch = self._pending[: self._config.max_batch]
            del self._pending[: len(batch)]
            self._settle(channel, batch, self._process(batch, connection))

    def _process(self, batch: list[Delivery], connection: pika.BlockingConnection) -> list[Outcome]:
        while True:
            try:
                outcomes = self._processor.process(batch)
            except Exception as exc:
                if not is_dependency_outage(exc) or self._should_stop():
                    raise
                # Sleeping through the connection keeps heartbeats going while the batch waits.
                connection.sleep(self._recovery.delay_after(exc))
                continue
            self._recovery.dependency_recovered()
            return outcomes

    @staticmethod
    def _settle(channel: BlockingChannel, batch: list[Delivery], outcomes: list[Outcome]) -> None:
        last_acked = 0
        for delivery, outcome in zip(batch, outcomes, strict=True):
            if outcome is Outcome.ACK:
                last_acked = delivery.delivery_tag
            elif outcome is Outcome.REQUEUE:
                channel.basic_nack(delivery.delivery_tag, requeue=True)
            else:
                channel.basic_reject(delivery.delivery_tag, requeue=False)
        if last_acked:
            channel.basic_ack(last_acked, multiple=True)

"""`python -m entrypoints.replay --queue NAME`: resend retained events to one consumer's queue.

Only that queue receives them (through the default exchange), in outbox order, persistent
and with publisher confirms, with the very message id and `ce-*` headers of the first
delivery, so a consumer that deduplicates on `ce-id` can take a replay at any time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TextIO

from pika.exceptions import AMQPError

from adapters.database import create_database_engine
from adapters.retained_events import ReplaySelection, RetainedEvents
from entrypoints.progress_meter import ProgressMeter
from items_events.broker_addresses import broker_parameters
from relay.replay_publisher import QueueNotFound, ReplayPublisher
from settings import Settings, load_settings
from wiring.messaging import event_catalog

EXIT_BROKER_FAILED = 1
EXIT_QUEUE_NOT_FOUND = 3


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    event_types = event_catalog().names()
    parser = argparse.ArgumentParser(
        prog="python -m entrypoints.replay",
        description="Resend retained (published, not yet purged) events to one consumer queue.",
    )
    parser.add_argument("--queue", required=True, help="The consumer queue to send to; it must exist.")
    parser.add_argument("--since", type=_moment, help="Only events that occurred at or after this ISO time.")
    parser.add_argument("--until", type=_moment, help="Only events that occurred before this ISO time.")
    parser.add_argument(
        "--type", dest="types", nargs="+", action="extend", choices=event_types, default=[],
        metavar="TYPE", help=f"Only these event types ({', '.join(event_types)}); all by default.",
    )  # fmt: skip
    parser.add_argument(
        "--progress-every", type=_positive, default=1000,
        help="Off a terminal, a progress line after every N events (and every 10 s); a terminal gets a live bar.",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, settings: Settings | None = None, out: TextIO = sys.stderr) -> int:
    args = parse_args(argv)
    settings = settings or load_settings()
    selection = ReplaySelection(
        retained_after=datetime.now(UTC) - timedelta(days=settings.outbox_retention_days),
        since=args.since,
        until=args.until,
        event_types=frozenset(args.types),
    )
    engine = create_database_engine(settings)
    try:
        with ReplayPublisher(broker_parameters(settings.amqp_url), args.queue) as publisher:
            sent = replay(RetainedEvents(engine), selection, publisher, out, args.progress_every)
    except QueueNotFound as exc:
        print(f"replay: {exc}; declare and bind it first", file=out)
        return EXIT_QUEUE_NOT_FOUND
    except AMQPError as exc:
        # Events confirmed so far stay delivered; running the replay again is safe.
        print(f"replay: the broker failed: {exc!r}", file=out)
        return EXIT_BROKER_FAILED
    finally:
        engine.dispose()
    print(f"replayed {sent} events to queue {args.queue!r}", file=out, flush=True)
    return 0


def replay(
    events: RetainedEvents, selection: ReplaySelection, publisher: ReplayPublisher, out: TextIO, every: int
) -> int:
    """Publish the selected events one confirm at a time; returns how many were sent."""
    # Rows published while the replay runs may join it, so the total is a guide, not a limit.
    total = events.count(selection)
    print(f"replaying {total} events to queue {publisher.queue!r}", file=out, flush=True)
    with ProgressMeter(total, out, every=every) as progress:
        for event in events.read(selection):
            publisher.publish(event)
            progress.advance()
    return progress.done


def _moment(text: str) -> datetime:
    """An ISO 8601 time; one without a zone is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


if __name__ == "__main__":
    sys.exit(main())

"""Assertions on what consumers received: nothing lost, duplicates identical, per-item order kept."""

from __future__ import annotations

from collections import defaultdict

from tests.integration.event_queue import ReceivedEvent


def assert_complete_and_ordered(received: list[ReceivedEvent], expected_ids: set[str]) -> None:
    """Every expected event arrived; a repeated id repeats the same message; each item's versions rise."""
    by_id: dict[str, ReceivedEvent] = {}
    for event in received:
        first = by_id.setdefault(event.message_id, event)
        assert first.body == event.body and first.headers == event.headers, f"{event.message_id} changed"
    missing = expected_ids - by_id.keys()
    assert not missing, f"{len(missing)} events lost, e.g. {sorted(missing)[:3]}"
    assert by_id.keys() <= expected_ids, "an event was published that no committed write produced"
    versions: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for event in received:
        if event.message_id in seen:
            continue  # only first occurrences count: a resend may repeat an older version
        seen.add(event.message_id)
        item = event.decoded().record["item"]
        versions[str(item["id"])].append(int(item["version"]))
    for item_id, order in versions.items():
        assert order == sorted(order), f"item {item_id} events arrived out of order: {order}"

"""Checks that tie deliveries to the database and to the relays' terms as leader."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import groupby

from tests.integration.event_queue import ReceivedEvent
from tests.scale.lock_holders import LockSample


def assert_one_event_per_version(received: Sequence[ReceivedEvent]) -> set[tuple[str, int]]:
    """A version of an item travels under one ce-id only (repeats are resends); returns every (item, version)."""
    carriers: dict[tuple[str, int], set[str]] = defaultdict(set)
    for event in received:
        assert event.headers["ce-id"] == event.message_id, f"{event.message_id} has another ce-id"
        item = event.decoded().record["item"]
        carriers[(str(item["id"]), int(item["version"]))].add(event.message_id)
    shared = {version: ids for version, ids in carriers.items() if len(ids) > 1}
    assert not shared, f"one item version carried by several events: {list(shared.items())[:3]}"
    return set(carriers)


def assert_every_version_delivered(
    delivered: set[tuple[str, int]], current_versions: Mapping[str, int], acknowledged: set[tuple[str, int]]
) -> None:
    """Versions 1..current of every item arrived, nothing else did, and every acknowledged write is among them."""
    expected = {(item, version) for item, last in current_versions.items() for version in range(1, last + 1)}
    assert delivered - expected == set(), f"events of versions no item reached: {sorted(delivered - expected)[:3]}"
    assert expected - delivered == set(), f"item versions without an event: {sorted(expected - delivered)[:3]}"
    assert acknowledged <= delivered, f"acknowledged writes without an event: {sorted(acknowledged - delivered)[:3]}"


def assert_one_handover(samples: Sequence[LockSample], leader: int, successor: int) -> None:
    """Sampled holders of the lock, run by run: the leader alone, maybe nobody, then the successor alone."""
    runs = [holders for holders, _ in groupby(sample.holders for sample in samples)]
    assert runs in ([(leader,), (), (successor,)], [(leader,), (successor,)]), f"lock holders over time: {runs}"


def publishers_by_term(published_at: Mapping[str, float], terms: Mapping[int, tuple[float, float]]) -> dict[int, int]:
    """How many rows each relay marked published, from the term (start, end) that covers each row's mark time."""
    marked: dict[int, int] = dict.fromkeys(terms, 0)
    for event_id, at in published_at.items():
        covering = [pid for pid, (start, end) in terms.items() if start <= at <= end]
        assert len(covering) == 1, f"event {event_id} was marked at {at}, within the terms of {covering}"
        marked[covering[0]] += 1
    return marked


def assert_resends_follow_takeover(
    received: Sequence[ReceivedEvent], arrived_at: Sequence[float], confirmed_before_kill: set[str], takeover: float
) -> int:
    """A repeated event is one the killed leader had not marked, arriving again once the successor led."""
    seen: set[str] = set()
    repeats = 0
    for event, at in zip(received, arrived_at, strict=True):
        if event.message_id in seen:
            repeats += 1
            assert event.message_id not in confirmed_before_kill, f"{event.message_id} was marked, yet sent again"
            assert at >= takeover, f"{event.message_id} arrived twice before the successor led: two publishers"
        seen.add(event.message_id)
    return repeats

"""What a failover test checks once its load is over: every acknowledged write, its event, published, applied once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from examples.catalog_projection.catalog_settings import CatalogSettings
from tests.cluster.event_accounting import consumer_counters, event_versions, occurred_times, resumed_after
from tests.cluster.service_on_cluster import catalog_versions, consumer_marks
from tests.cluster.steady_api_load import SteadyWriteLoad
from tests.cluster.timings import Timings
from tests.cluster.write_load import ANSWERS, wait_until_applied
from tests.scale.database_reads import current_versions, publication_marks

PROCESSED = "consumer_events_processed_total"
REDELIVERED = "consumer_events_redelivered_total"


@dataclass(frozen=True)
class LoadOutcome:
    """Read behind the service: the rows, the outbox and its marks, the consumer's ledger and its counters."""

    expected: set[str]
    """Every event in the outbox."""
    occurred: dict[str, float]
    published: dict[str, float]
    applied: dict[str, float]
    versions: dict[str, int]
    applications: int
    """Events the consumer applied, counted as it applied them: a duplicate applied counts twice."""
    redeliveries: int

    def resumed(self, moment: float, marks: dict[str, float]) -> float:
        """Seconds from `moment` until the first event that occurred after it was published, or applied."""
        return resumed_after(moment, self.occurred, marks)

    def lost_writes(self, load: SteadyWriteLoad) -> set[tuple[str, int]]:
        """(item, version) of each write the API acknowledged and the rows no longer show."""
        return {(item, version) for item, version in load.acknowledged if self.versions.get(item, 0) < version}

    @classmethod
    def settled(cls, engine: Engine, catalog: CatalogSettings) -> LoadOutcome:
        """Once the consumer has applied every event in the outbox; call it while the consumer runs."""
        expected = wait_until_applied(engine, catalog)
        counters = consumer_counters(catalog.metrics_port)
        return cls(
            expected,
            occurred_times(engine),
            publication_marks(engine),
            consumer_marks(catalog),
            current_versions(engine),
            int(counters.get(PROCESSED, 0)),
            int(counters.get(REDELIVERED, 0)),
        )


def assert_nothing_lost_or_applied_twice(
    load: SteadyWriteLoad, outcome: LoadOutcome, engine: Engine, catalog: CatalogSettings
) -> None:
    lost = outcome.lost_writes(load)
    assert not lost, f"acknowledged writes lost: {sorted(lost)[:5]}"
    assert event_versions(engine) == {item: (version, version) for item, version in outcome.versions.items()}, (
        "a row version has no event in the outbox"
    )
    assert set(outcome.published) == outcome.expected, "an event was not marked published"
    assert set(outcome.applied) == outcome.expected, "an event was not applied"
    assert catalog_versions(catalog) == outcome.versions, "the consumer's copy differs from the rows"
    assert outcome.applications == len(outcome.expected), (
        f"{outcome.applications} applications of {len(outcome.expected)} events, {outcome.redeliveries} skipped"
    )


def count_outcome(timings: Timings, label: str, load: SteadyWriteLoad, outcome: LoadOutcome) -> None:
    for answer, count in sorted(load.outcomes.items()):
        timings.count(f"{label}: {answer}", count)
    timings.count(f"{label}: client write errors (not 201, 200 or 409)", load.answered - _answered_well(load))
    timings.count(f"{label}: acknowledged writes lost", len(outcome.lost_writes(load)))
    timings.count(f"{label}: events published and applied (none lost)", len(outcome.expected))
    timings.count(f"{label}: duplicates applied", outcome.applications - len(outcome.expected))
    timings.count(f"{label}: redeliveries skipped by dedupe", outcome.redeliveries)


def _answered_well(load: SteadyWriteLoad) -> int:
    return sum(count for answer, count in load.outcomes.items() if answer in ANSWERS)

"""The registry of benchmark scenarios; a new benchmark is one more entry here."""

from __future__ import annotations

from collections.abc import Callable

from bench.scenarios.base import Scenario
from bench.scenarios.consumer_throughput import ConsumerThroughputScenario
from bench.scenarios.event_latency import EventLatencyScenario
from bench.scenarios.event_write import EventWriteScenario
from bench.scenarios.item_endpoints import ItemEndpointsScenario
from bench.scenarios.list_page import ListPageScenario
from bench.scenarios.profile import ProfileScenario
from bench.scenarios.relay_drain import RelayDrainScenario
from bench.scenarios.tracing_overhead import TracingOverheadScenario
from bench.scenarios.worker_memory import WorkerMemoryScenario

SCENARIOS: dict[str, Callable[[], Scenario]] = {
    ItemEndpointsScenario.name: ItemEndpointsScenario,
    ListPageScenario.name: ListPageScenario,
    EventWriteScenario.name: EventWriteScenario,
    RelayDrainScenario.name: RelayDrainScenario,
    EventLatencyScenario.name: EventLatencyScenario,
    ConsumerThroughputScenario.name: ConsumerThroughputScenario,
    ProfileScenario.name: ProfileScenario,
    TracingOverheadScenario.name: TracingOverheadScenario,
    WorkerMemoryScenario.name: WorkerMemoryScenario,
}
DEFAULT_SCENARIOS = (
    ItemEndpointsScenario.name,
    ListPageScenario.name,
    EventWriteScenario.name,
    RelayDrainScenario.name,
    EventLatencyScenario.name,
    ConsumerThroughputScenario.name,
    TracingOverheadScenario.name,
    WorkerMemoryScenario.name,
)
"""What `make bench` runs; the others are asked for with `--scenarios`."""

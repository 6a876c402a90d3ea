"""The registry of benchmark scenarios; a new benchmark is one more entry here."""

from __future__ import annotations

from collections.abc import Callable

from bench.scenarios.base import Scenario
from bench.scenarios.item_endpoints import ItemEndpointsScenario
from bench.scenarios.list_page import ListPageScenario
from bench.scenarios.profile import ProfileScenario

SCENARIOS: dict[str, Callable[[], Scenario]] = {
    ItemEndpointsScenario.name: ItemEndpointsScenario,
    ListPageScenario.name: ListPageScenario,
    ProfileScenario.name: ProfileScenario,
}
DEFAULT_SCENARIOS = (ItemEndpointsScenario.name, ListPageScenario.name)
"""What `make bench` runs; the others are asked for with `--scenarios`."""

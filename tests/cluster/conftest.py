"""Fixtures of the failover tests: a RabbitMQ cluster and a PostgreSQL pair of their own, and their figures."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.cluster.postgres_pair import StreamingPair
from tests.cluster.postgres_server import postgres_binaries
from tests.cluster.rabbit_cluster import RabbitCluster
from tests.cluster.rabbit_node import rabbitmq_scripts
from tests.cluster.timings import Timings
from tests.servers import unavailable

TIMINGS = pytest.StashKey[Timings]()


@pytest.fixture(scope="session")
def timings(pytestconfig: pytest.Config) -> Timings:
    """Where tests put what they measured; `pytest_terminal_summary` below prints it."""
    return pytestconfig.stash.setdefault(TIMINGS, Timings())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    figures = config.stash.get(TIMINGS, None)
    if figures is not None and figures.figures:
        terminalreporter.write_sep("-", "failover figures (measured, not asserted)")
        for line in figures.lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def rabbit_cluster(tmp_path_factory: pytest.TempPathFactory, timings: Timings) -> Iterator[RabbitCluster]:
    """Three RabbitMQ nodes of the test run's own, joined into one cluster."""
    if rabbitmq_scripts() is None or shutil.which("epmd") is None:
        unavailable("a RabbitMQ installation (rabbitmq-server, rabbitmqctl, epmd)", "not installed")
    with RabbitCluster(tmp_path_factory.mktemp("rabbit-cluster")) as cluster:
        timings.seconds("rabbitmq: 3-node cluster started and joined", cluster.formed_in_s or 0.0)
        yield cluster


@pytest.fixture
def cluster(rabbit_cluster: RabbitCluster) -> RabbitCluster:
    """The cluster with every node running, whatever an earlier test killed."""
    down = [node for node in rabbit_cluster.nodes if not node.running]
    if down:
        rabbit_cluster.restart(*down)
    return rabbit_cluster


@pytest.fixture
def postgres_pair() -> Iterator[StreamingPair]:
    """A primary and a synchronous streaming standby of the test's own."""
    if postgres_binaries() is None:
        unavailable("a PostgreSQL installation (initdb, pg_ctl, postgres)", "not installed")
    with StreamingPair(synchronous=True) as pair:
        yield pair

"""A RabbitMQ cluster of a test's own: nodes joined with `rabbitmqctl join_cluster`, torn down by PID.

The nodes share a cookie and an Erlang port mapper (epmd) of the cluster's own, on a free
port, so they never meet the machine's shared broker or its epmd on 4369.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cluster.free_ports import free_ports
from tests.cluster.polling import poll
from tests.cluster.process_group import ProcessGroup
from tests.cluster.rabbit_node import ErlangDistribution, NodePorts, RabbitNode
from tests.cluster.started_servers import StartedServers

FORM_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class QueueReplicas:
    """Where a quorum queue lives: its leader, its members and which of those are up."""

    leader: str
    members: frozenset[str]
    online: frozenset[str]


class RabbitCluster(StartedServers):
    """`size` nodes named `<prefix>-a@localhost`, `<prefix>-b@localhost`, ...; use it as a context manager."""

    def __init__(self, directory: Path, size: int = 3, prefix: str = "items-test") -> None:
        ports = free_ports(1 + 2 * size)
        home = directory / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)  # Erlang refuses a cookie others can read
        self._directory = directory
        self._erlang = ErlangDistribution(home=home, epmd_port=ports[0])
        self._port_mapper: ProcessGroup | None = None
        self.nodes = [
            RabbitNode(
                f"{prefix}-{chr(ord('a') + index)}",
                directory / f"node-{index}",
                NodePorts(amqp=ports[1 + 2 * index], distribution=ports[2 + 2 * index]),
                self._erlang,
            )
            for index in range(size)
        ]
        self.formed_in_s: float | None = None

    @property
    def amqp_urls(self) -> list[str]:
        return [node.amqp_url for node in self.nodes]

    def node(self, name: str) -> RabbitNode:
        return next(node for node in self.nodes if node.name == name)

    def running_nodes(self) -> frozenset[str]:
        """The nodes the cluster itself reports as running, asked of a node that is up."""
        status = json.loads(self._any_running().ctl("cluster_status", "--formatter", "json"))
        return frozenset(status["running_nodes"])

    def wait_until_running(self, expected: set[str] | frozenset[str], timeout_s: float = FORM_TIMEOUT_S) -> None:
        for attempt in poll(timeout_s):
            with attempt:
                running = self.running_nodes()
                if running != expected:
                    raise AssertionError(f"running {sorted(running)}, waiting for {sorted(expected)}")

    def replicas(self, queue: str, vhost: str = "/") -> QueueReplicas:
        """A quorum queue's leader and members, as `rabbitmqctl list_queues` reports them."""
        rows = self._ctl_json("list_queues", "-p", vhost, "name", "leader", "members", "online")
        row = next(row for row in rows if row["name"] == queue)
        return QueueReplicas(row["leader"], frozenset(row["members"]), frozenset(row["online"]))

    def leader_node(self, queue: str, vhost: str = "/") -> RabbitNode:
        return self.node(self.replicas(queue, vhost).leader)

    def node_of_connection(self, connection_name: str) -> RabbitNode:
        """The node a client that set `connection_name` in its client properties is connected to."""
        rows = self._ctl_json("list_connections", "port", "client_properties")
        # client_properties come as [key, AMQP type, value] triples
        port = next(
            row["port"] for row in rows if ["connection_name", "longstr", connection_name] in row["client_properties"]
        )
        return next(node for node in self.nodes if node.ports.amqp == port)

    def kill(self, node: RabbitNode) -> None:
        """`kill -9` of the node's Erlang VM; the other nodes notice when its connections drop."""
        node.kill()

    def restart(self, *nodes: RabbitNode) -> float:
        """Start killed nodes on their old data, together; the seconds until the cluster reports all running."""
        started = time.monotonic()
        for node in nodes:
            node.start()
        for node in nodes:
            node.await_startup()
        self.wait_until_running({each.name for each in self.nodes})
        return time.monotonic() - started

    def close(self) -> None:
        """Stop every node and the port mapper this cluster started, by PID."""
        for node in self.nodes:
            node.terminate()
        if self._port_mapper is not None:
            self._port_mapper.kill()

    def _start(self) -> None:
        started = time.monotonic()
        self._start_port_mapper()
        for node in self.nodes:  # booting in parallel: each takes seconds, mostly waiting
            node.start()
        for node in self.nodes:
            node.await_startup()
        seed = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", seed.name)
            node.ctl("start_app")
        self.wait_until_running({node.name for node in self.nodes})
        self.formed_in_s = time.monotonic() - started

    def _start_port_mapper(self) -> None:
        epmd = shutil.which("epmd")
        if epmd is None:
            raise FileNotFoundError("epmd (Erlang's port mapper) is not on PATH")
        command = [epmd, "-port", str(self._erlang.epmd_port), "-address", "127.0.0.1"]
        with (self._directory / "epmd.out").open("ab") as output:
            self._port_mapper = ProcessGroup.start(command, self._erlang.environment(), output)
        for attempt in poll(10.0, OSError):
            with attempt:
                socket.create_connection(("127.0.0.1", self._erlang.epmd_port), timeout=1).close()

    def _any_running(self) -> RabbitNode:
        return next(node for node in self.nodes if node.running)

    def _ctl_json(self, *arguments: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(self._any_running().ctl(*arguments, "--formatter", "json"))
        return rows

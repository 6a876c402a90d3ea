"""One RabbitMQ node of a test's own: its name, ports, data, logs and Erlang cookie; started from the real scripts.

Debian's `rabbitmq-server` and `rabbitmqctl` in /usr/sbin switch to the `rabbitmq` user and
read the shared node's cookie, so the scripts behind them are called directly. Every
setting the shared broker takes from /etc/rabbitmq is replaced by a file of the node's own,
so nothing here can reach the broker on 5672 or its port mapper on 4369.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.cluster.polling import poll
from tests.cluster.process_group import ProcessGroup

DEBIAN_SCRIPTS = Path("/usr/lib/rabbitmq/bin")
CTL_TIMEOUT_S = 60.0


def rabbitmq_scripts() -> Path | None:
    """Where `rabbitmq-server` and `rabbitmqctl` live without a user-switching wrapper, if anywhere."""
    if (DEBIAN_SCRIPTS / "rabbitmq-server").exists():
        return DEBIAN_SCRIPTS
    found = shutil.which("rabbitmq-server")
    return Path(found).parent if found else None


class NodeCrashed(Exception):
    """The node's VM exited while the test waited for it."""


@dataclass(frozen=True)
class ErlangDistribution:
    """What the nodes of one cluster and the CLI tools talking to them share: a cookie and a port mapper."""

    home: Path
    """Holds `.erlang.cookie`; the HOME of the nodes and of every CLI call."""
    epmd_port: int

    def environment(self) -> dict[str, str]:
        keep = {name: value for name, value in os.environ.items() if not name.startswith(("RABBITMQ_", "ERL_"))}
        keep.pop("XDG_CONFIG_HOME", None)  # Erlang looks for a cookie there too
        return {**keep, "HOME": str(self.home), "ERL_EPMD_PORT": str(self.epmd_port), "ERL_EPMD_ADDRESS": "127.0.0.1"}


@dataclass(frozen=True)
class NodePorts:
    """AMQP and inter-node ports; the inter-node one is explicit because AMQP + 20000 overflows for high ports."""

    amqp: int
    distribution: int


class RabbitNode:
    """A node that can be started, killed with SIGKILL and started again on the same data."""

    def __init__(self, short_name: str, directory: Path, ports: NodePorts, erlang: ErlangDistribution) -> None:
        self.name = f"{short_name}@localhost"
        self.ports = ports
        self._directory = directory
        self._erlang = erlang
        self._scripts = rabbitmq_scripts() or DEBIAN_SCRIPTS
        self._server: ProcessGroup | None = None
        for part in ("mnesia", "log"):
            (directory / part).mkdir(parents=True, exist_ok=True)
        (directory / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{ports.amqp}\nlog.console = false\nlog.file.level = info\n"
        )
        (directory / "enabled_plugins").write_text("[].\n")
        (directory / "rabbitmq-env.conf").write_text("")

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.ports.amqp}/%2F"

    @property
    def log_file(self) -> Path:
        return self._directory / "log" / f"{self.name}.log"

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.alive()

    def start(self) -> None:
        """Boot in the background; `await_startup` waits for it."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        (self._directory / "rabbitmq.pid").unlink(missing_ok=True)  # a killed VM leaves its PID behind
        with (self._directory / "server.out").open("ab") as output:
            self._server = ProcessGroup.start([str(self._scripts / "rabbitmq-server")], self._environment(), output)

    def await_startup(self, timeout_s: float = 60.0) -> None:
        """Returns once the node runs the broker application; raises if it did not within the timeout.

        `rabbitmqctl await_startup` fails at once while the VM has not registered with epmd yet,
        so it is polled until then.
        """
        for attempt in poll(timeout_s, RuntimeError, every_s=0.5):
            with attempt:
                if self._server is not None and not self._server.alive():
                    raise NodeCrashed(f"{self.name} exited while booting; see {self._directory / 'server.out'}")
                self.ctl("await_startup", "--timeout", str(int(timeout_s)), timeout_s=timeout_s + 10)

    def beam_pid(self) -> int:
        """The Erlang VM's PID, as the node itself wrote it once booted."""
        return int((self._directory / "rabbitmq.pid").read_text().strip())

    def kill(self) -> None:
        """SIGKILL the Erlang VM, the way a crashed host loses it: no goodbye to the cluster or clients."""
        if self._server is None:
            raise RuntimeError(f"{self.name} was never started")
        os.kill(self.beam_pid(), signal.SIGKILL)
        self._server.wait_and_reap()

    def terminate(self) -> None:
        """Teardown: SIGKILL everything the node started; its data is thrown away anyway."""
        if self._server is None:
            return
        if self._server.alive():
            # The VM first, so that the start script reaps it, then whatever else is left of the group.
            with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
                self.kill()
        self._server.kill()

    def ctl(self, *arguments: str, timeout_s: float = CTL_TIMEOUT_S) -> str:
        """`rabbitmqctl -n <this node> ...`; its stdout, or a `RuntimeError` naming what went wrong."""
        command = [str(self._scripts / "rabbitmqctl"), "-n", self.name, *arguments]
        done = subprocess.run(
            command, env=self._erlang.environment(), capture_output=True, text=True, timeout=timeout_s, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command[1:])} failed ({done.returncode}): {done.stderr or done.stdout}")
        return done.stdout

    def _environment(self) -> dict[str, str]:
        directory = self._directory
        return {
            **self._erlang.environment(),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_DIST_PORT": str(self.ports.distribution),
            "RABBITMQ_CONFIG_FILE": str(directory / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(directory / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(directory / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(directory / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(directory / "log"),
            "RABBITMQ_PID_FILE": str(directory / "rabbitmq.pid"),
            # Inter-node traffic on loopback only, like the shared broker's.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

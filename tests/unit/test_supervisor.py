"""`make run`'s supervisor restarts a dead child with a growing delay and stops every child on request."""

from __future__ import annotations

import subprocess
import sys
import threading

from tenacity import retry, stop_after_delay, wait_fixed

from entrypoints.run import catalog_environment
from entrypoints.supervisor import Child, RestartPolicy, Supervisor
from settings import Settings

QUICK_EXIT = [sys.executable, "-c", "raise SystemExit(3)"]
LONG_RUN = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_delays_double_after_quick_exits_up_to_a_cap() -> None:
    policy = RestartPolicy(first_delay_s=1, max_delay_s=5)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]


def test_a_dead_child_is_restarted_with_a_log_line_while_the_others_run() -> None:
    lines: list[str] = []
    crashing, steady = Child("crashing", QUICK_EXIT), Child("steady", LONG_RUN)
    supervisor = Supervisor([crashing, steady], RestartPolicy(first_delay_s=0.05, max_delay_s=0.1), log=lines.append)
    stop = threading.Event()
    runner = threading.Thread(target=supervisor.run, args=(stop,))
    runner.start()
    try:
        @retry(stop=stop_after_delay(30), wait=wait_fixed(0.05), reraise=True)
        def started() -> subprocess.Popen[bytes]:
            assert steady.process is not None
            return steady.process

        first_steady = started()

        @retry(stop=stop_after_delay(30), wait=wait_fixed(0.1), reraise=True)
        def restarted_twice() -> None:
            assert len(lines) >= 2

        restarted_twice()
        assert lines[0] == "crashing exited with 3; restarting it in 0 s"
        assert steady.process is first_steady and first_steady.poll() is None
    finally:
        stop.set()
        runner.join(timeout=60)
    assert first_steady.poll() is not None  # stopped with the supervisor


def test_the_consumer_gets_the_services_broker_and_exchange() -> None:
    settings = Settings(amqp_url="amqp://guest:guest@127.0.0.1:5672/other", events_exchange="ours")
    env, warnings = catalog_environment(settings, {"PATH": "/bin"})
    assert env["CATALOG_AMQP_URL"] == settings.amqp_url and env["CATALOG_EXCHANGE"] == "ours"
    assert env["PATH"] == "/bin" and warnings == []


def test_a_consumer_pointed_elsewhere_is_said_once_without_the_password() -> None:
    settings = Settings(amqp_url="amqp://guest:secret@127.0.0.1:5672/other")
    env, warnings = catalog_environment(settings, {"CATALOG_AMQP_URL": "amqp://guest:secret@127.0.0.1:5672/%2F"})
    assert env["CATALOG_AMQP_URL"].endswith("/%2F")
    assert len(warnings) == 1 and "CATALOG_AMQP_URL" in warnings[0] and "secret" not in warnings[0]


def test_a_cluster_list_is_passed_on_whole_and_shown_without_any_password() -> None:
    cluster = "amqp://guest:secret@10.0.0.1:5672/%2F, amqp://guest:secret@10.0.0.2:5672/%2F"
    settings = Settings(amqp_url=cluster)
    env, _warnings = catalog_environment(settings, {})
    assert env["CATALOG_AMQP_URL"] == cluster
    _env, warnings = catalog_environment(settings, {"CATALOG_AMQP_URL": "amqp://guest:secret@10.0.0.3:5672/%2F"})
    assert len(warnings) == 1 and "secret" not in warnings[0] and warnings[0].count("***") == 3


def test_public_base_url_follows_host_and_port_unless_set() -> None:
    assert Settings(port=9000).public_base_url == "http://127.0.0.1:9000"
    assert Settings(host="0.0.0.0", port=9001).public_base_url == "http://127.0.0.1:9001"
    assert Settings(host="::", port=9002).public_base_url == "http://[::1]:9002"
    assert Settings(port=9000, public_base_url="https://items.example").public_base_url == "https://items.example"

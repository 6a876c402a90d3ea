"""deploy/compose/ha.yaml over docker-compose.yml: a 3-node RabbitMQ cluster and a PostgreSQL standby, wired well.

Static only, like the other deployment checks: the file is valid Compose, and once merged
over the base file every process gets every broker node and both database servers, in
settings the service accepts; the nodes form one cluster and the standby is the one the
primary waits for.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from examples.catalog_projection.catalog_settings import CatalogSettings
from items_events.broker_addresses import broker_parameters
from settings import PROJECT_ROOT, load_settings
from tests.deploy.artifacts import COMPOSE_FILE, unknown_variables, yaml_documents
from tests.deploy.compose_files import check_compose_schema, interpolate, merged

HA_FILE = PROJECT_ROOT / "deploy" / "compose" / "ha.yaml"
IMAGE_SERVICES = ("migrate", "api", "relay", "consumer")
BROKER_NODES = {"rabbitmq", "rabbitmq-2", "rabbitmq-3"}
DATABASE_SERVERS = {"postgres", "postgres-standby"}
STANDBY_NAME = "items_standby"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(interpolate(merged(yaml_documents(COMPOSE_FILE)[0], yaml_documents(HA_FILE)[0])))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def environment(services: dict[str, dict[str, Any]], name: str) -> dict[str, str]:
    return {key: str(value) for key, value in services[name].get("environment", {}).items()}


def database_hosts(url: str) -> set[str]:
    hosts = make_url(url).query["host"]
    return {host.partition(":")[0] for host in ((hosts,) if isinstance(hosts, str) else hosts)}


def config_content(compose: dict[str, Any], service: dict[str, Any], target_suffix: str) -> str:
    [source] = [mount["source"] for mount in service["configs"] if mount["target"].endswith(target_suffix)]
    return str(compose["configs"][source]["content"])


def test_valid_against_the_compose_specification() -> None:
    result = check_compose_schema(HA_FILE)
    assert result.returncode == 0, f"compose-spec:\n{result.stdout}{result.stderr}"


def test_every_process_gets_every_broker_node_and_both_database_servers(services: dict[str, dict[str, Any]]) -> None:
    for name in IMAGE_SERVICES:
        env = environment(services, name)
        assert not unknown_variables(env), f"{name} sets variables no process reads"
        prefix = "CATALOG_" if name == "consumer" else ""
        nodes = broker_parameters(env[f"{prefix}AMQP_URL"])
        assert {node.host for node in nodes} == BROKER_NODES, name
        assert database_hosts(env[f"{prefix}DATABASE_URL"]) == DATABASE_SERVERS, name
    # Each setting in a form the service accepts: several hosts only with target_session_attrs=read-write.
    load_settings(**{key.lower(): value for key, value in environment(services, "api").items() if key.isupper()})
    catalog = environment(services, "consumer")
    CatalogSettings(database_url=catalog["CATALOG_DATABASE_URL"], amqp_url=catalog["CATALOG_AMQP_URL"])
    assert make_url(catalog["CATALOG_DATABASE_URL"]).database == "catalog"


def test_the_broker_nodes_form_one_cluster_and_the_services_wait_for_all_three(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    nodes = {name: services[name] for name in BROKER_NODES}
    hostnames = {name: node.get("hostname") for name, node in nodes.items()}
    assert hostnames == {name: name for name in BROKER_NODES}, "a node's name (and data) follows its host name"
    listed = {
        set(re.findall(r"classic_config\.nodes\.\d+ = rabbit@(\S+)", config_content(compose, node, ".conf")))
        == set(BROKER_NODES)
        for node in nodes.values()
    }
    assert listed == {True}, "every node lists every node"
    assert len({node["environment"]["ITEMS_ERLANG_COOKIE"] for node in nodes.values()}) == 1, "one Erlang cookie"
    data = [mount for node in nodes.values() for mount in node["volumes"] if mount.endswith(":/var/lib/rabbitmq")]
    assert len(set(data)) == 3, "each node has a data volume of its own"
    for name in ("api", "relay", "consumer"):
        waits_for = {
            target for target, spec in services[name]["depends_on"].items() if spec["condition"] == "service_healthy"
        }
        assert waits_for >= BROKER_NODES, f"{name} should start once every node runs"


def test_the_primary_waits_for_the_standby_and_the_standby_for_nobody_once_promoted(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    primary, standby = services["postgres"], services["postgres-standby"]
    script = config_content(compose, primary, "-replication.sh")
    assert f"synchronous_standby_names = '{STANDBY_NAME}'" in script
    assert "host replication replicator" in script
    starts = " ".join(standby["entrypoint"])
    assert f"-c cluster_name={STANDBY_NAME}" in starts, "the standby names itself as the primary expects"
    assert starts.rstrip().endswith("-c synchronous_standby_names="), "promoted, it must not wait for a standby"
    assert "--host postgres " in starts and "--write-recovery-conf" in starts
    assert primary["restart"] == "no", "after a failover the old primary must not come back as a primary"
    assert standby["image"] == primary["image"], "a standby runs the primary's major version"


def test_references_resolve(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for target, spec in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown service {target}"
            if spec["condition"] == "service_healthy":
                assert services[target].get("healthcheck", {}).get("test"), f"{target} has no health check"
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source.startswith((".", "/")) or source in compose["volumes"], f"{name}: volume {source}"
        for config in service.get("configs", []):
            assert config["source"] in compose["configs"], f"{name}: config {config['source']}"

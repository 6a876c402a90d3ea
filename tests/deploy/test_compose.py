"""docker-compose.yml: valid against the Compose Specification schema, and wired consistently.

`docker compose config` needs the Compose plugin, which this project's machines do not have,
so the schema check is check-jsonschema's vendored compose-spec schema, and the semantic checks
Compose would do (references between services, volumes, configs) are made here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from observability.tracing import tracing_requested
from settings import PROJECT_ROOT
from tests.deploy.artifacts import (
    COMPOSE_FILE,
    GUNICORN_CONF,
    command_problem,
    http_paths,
    openapi_paths,
    unknown_variables,
    yaml_documents,
)
from tests.deploy.compose_files import check_compose_schema, interpolate

IMAGE_SERVICES = {"migrate", "api", "relay", "consumer"}
INFRASTRUCTURE = {"postgres", "rabbitmq"}
OPTIONAL = {"jaeger": "tracing"}
"""Services started only with `--profile <name>`."""


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(interpolate(yaml_documents(COMPOSE_FILE)[0]))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert match and duration, f"unexpected duration {duration!r}"
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def default_graceful_timeout() -> int:
    match = re.search(r"\"GRACEFUL_TIMEOUT\",\s*\"(\d+)\"", GUNICORN_CONF.read_text(encoding="utf-8"))
    assert match, "gunicorn.conf.py no longer reads GRACEFUL_TIMEOUT"
    return int(match.group(1))


def test_valid_against_the_compose_specification() -> None:
    result = check_compose_schema(COMPOSE_FILE)
    assert result.returncode == 0, f"compose-spec:\n{result.stdout}{result.stderr}"


def test_schema_check_really_validates(tmp_path: Path) -> None:
    """Guards the check above against a validator that accepts everything."""
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  api:\n    image: x:1\n    restart_policy: always\n", encoding="utf-8")
    result = check_compose_schema(bad)
    assert result.returncode != 0 and "restart_policy" in result.stdout


def test_the_expected_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == IMAGE_SERVICES | INFRASTRUCTURE | set(OPTIONAL)
    for name, profile in OPTIONAL.items():
        assert services[name]["profiles"] == [profile]
    for name in IMAGE_SERVICES | INFRASTRUCTURE:
        assert "profiles" not in services[name], f"{name} must start with a plain `docker compose up`"


def test_infrastructure_images_are_pinned_and_health_checked(services: dict[str, dict[str, Any]]) -> None:
    assert re.fullmatch(r"postgres:\d+\.\d+(-[a-z0-9.]+)?", services["postgres"]["image"])
    assert re.fullmatch(r"rabbitmq:\d+\.\d+\.\d+-management", services["rabbitmq"]["image"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["rabbitmq"]["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    assert re.fullmatch(r"jaegertracing/all-in-one:\d+\.\d+\.\d+", services["jaeger"]["image"])
    assert "http://127.0.0.1:14269/" in " ".join(services["jaeger"]["healthcheck"]["test"])


def test_tracing_is_off_unless_an_endpoint_is_given(services: dict[str, dict[str, Any]]) -> None:
    """Every process exports to `OTEL_EXPORTER_OTLP_ENDPOINT`; empty (the default) means no tracing."""
    for name in IMAGE_SERVICES - {"migrate"}:
        assert services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "", name
    assert not tracing_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": ""})


def test_one_image_built_from_the_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    images = {services[name]["image"] for name in IMAGE_SERVICES}
    assert len(images) == 1, f"every role runs the same image, found {images}"
    for name in IMAGE_SERVICES:
        build = services[name].get("build")
        assert build is not None, f"{name} must name the build, or Compose may try to pull the image"
        context = PROJECT_ROOT / build["context"]
        assert (context / build.get("dockerfile", "Dockerfile")).is_file()


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("migrate", ["alembic", "upgrade", "head"]),
        ("api", ["gunicorn", "--config", "gunicorn.conf.py"]),
        ("relay", ["python", "-m", "entrypoints.relay"]),
        ("consumer", ["python", "-m", "examples.catalog_projection", "run"]),
    ],
)
def test_each_role_runs_code_that_exists(
    services: dict[str, dict[str, Any]], service: str, expected: list[str]
) -> None:
    command = services[service]["command"]
    assert command == expected
    assert command_problem(command) is None, command_problem(command)


def test_start_order(services: dict[str, dict[str, Any]]) -> None:
    def conditions(name: str) -> dict[str, str]:
        return {target: spec["condition"] for target, spec in services[name].get("depends_on", {}).items()}

    assert conditions("migrate") == {"postgres": "service_healthy"}
    assert conditions("api")["migrate"] == "service_completed_successfully"
    assert conditions("api")["rabbitmq"] == "service_healthy"
    assert conditions("relay")["migrate"] == "service_completed_successfully"
    assert conditions("relay")["rabbitmq"] == "service_healthy"
    for name in services:
        for target, condition in conditions(name).items():
            assert target in services, f"{name} depends on unknown service {target}"
            if condition == "service_healthy":
                healthcheck = services[target].get("healthcheck", {})
                assert healthcheck.get("test") and not healthcheck.get("disable"), f"{target} has no health check"


def test_restart_policies(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"]["restart"] == "no", "a one-shot migration must not loop"
    for name in set(services) - {"migrate"}:
        assert services[name].get("restart") in ("always", "unless-stopped", "on-failure"), name


def test_volumes_and_configs_are_declared(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0] if isinstance(mount, str) else mount["source"]
            if not source.startswith((".", "/")):
                assert source in compose.get("volumes", {}), f"{name} mounts undeclared volume {source}"
        for config in service.get("configs", []):
            source = config if isinstance(config, str) else config["source"]
            assert source in compose.get("configs", {}), f"{name} uses undeclared config {source}"


def test_environment_names_are_settings(services: dict[str, dict[str, Any]]) -> None:
    for name in IMAGE_SERVICES:
        unknown = unknown_variables(services[name].get("environment", {}))
        assert not unknown, f"{name} sets variables no process reads (typos?): {sorted(unknown)}"


def test_urls_point_at_the_compose_services(services: dict[str, dict[str, Any]]) -> None:
    databases = {}
    for name in IMAGE_SERVICES:
        for variable, value in services[name].get("environment", {}).items():
            if variable.endswith("DATABASE_URL") or variable.endswith("AMQP_URL"):
                url = make_url(str(value).replace("amqp://", "rabbitmq://", 1))
                assert url.host in services, f"{name}: {variable} points at {url.host}, not a service"
                if variable.endswith("DATABASE_URL"):
                    databases[variable] = url.database
    assert databases["DATABASE_URL"] == "items"
    # The consumer owns its database, as a separate service would; postgres creates it.
    assert databases["CATALOG_DATABASE_URL"] not in (None, "items")
    configs = yaml_documents(COMPOSE_FILE)[0]["configs"].values()
    init_sql = " ".join(str(config.get("content", "")) for config in configs)
    assert f"CREATE DATABASE {databases['CATALOG_DATABASE_URL']}" in init_sql


def test_api_port_health_and_shutdown(services: dict[str, dict[str, Any]]) -> None:
    api = services["api"]
    assert any(str(port).endswith(":8080") for port in api["ports"])
    paths = http_paths(" ".join(api["healthcheck"]["test"]))
    assert paths == ["/health/live"] and "/health/live" in openapi_paths()
    assert seconds(api["stop_grace_period"]) > default_graceful_timeout(), "Compose would SIGKILL mid-drain"


def test_dev_secret_lives_on_a_volume(services: dict[str, dict[str, Any]]) -> None:
    """`docker compose run --rm api python -m entrypoints.dev_token` must read the API's secret."""
    api = services["api"]
    secret = api["environment"]["AUTH_DEV_SECRET_FILE"]
    mounts = [mount.split(":")[1] for mount in api["volumes"]]
    assert any(secret.startswith(mount.rstrip("/") + "/") for mount in mounts)
    assert command_problem(["python", "-m", "entrypoints.dev_token"]) is None


def test_read_only_containers_get_a_writable_tmp(services: dict[str, dict[str, Any]]) -> None:
    for name in IMAGE_SERVICES:
        service = services[name]
        if service.get("read_only"):
            assert "/tmp" in service.get("tmpfs", []), f"{name}: gunicorn and prometheus-client write to /tmp"


def test_image_healthcheck_is_disabled_where_no_http_is_served(services: dict[str, dict[str, Any]]) -> None:
    """The image's HEALTHCHECK probes the API port; the other roles would be marked unhealthy."""
    for name in IMAGE_SERVICES - {"api"}:
        assert services[name].get("healthcheck", {}).get("disable") is True, name

"""deploy/k8s: every object valid against the Kubernetes OpenAPI schemas (offline, strict), and
the objects consistent with each other, with the image and with the API's spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.artifacts import (
    K8S_DIR,
    command_problem,
    dockerfile_instructions,
    final_stage,
    k8s_manifests,
    k8s_objects,
    known_environment_variables,
    openapi_paths,
    yaml_documents,
)

# The oldest release the manifests support (the native preStop `sleep` action is on by default
# from 1.30) and the newest the validator ships schemas for.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
PLACEHOLDER = "CHANGE-ME"
COMPONENT = "app.kubernetes.io/component"

OBJECTS = k8s_objects()


def find(kind: str, name: str) -> dict[str, Any]:
    matches = [document for document in objects_of(kind) if document["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def objects_of(kind: str) -> list[dict[str, Any]]:
    return [document for _path, document in OBJECTS if document["kind"] == kind]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return dict(workload["spec"]["template"]["spec"])


def workloads() -> list[dict[str, Any]]:
    return [document for _path, document in OBJECTS if document["kind"] in ("Deployment", "Job")]


def container(workload: dict[str, Any]) -> dict[str, Any]:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1, f"{workload['metadata']['name']}: one container per pod"
    return dict(containers[0])


def image_uid() -> int:
    user = next(instruction for instruction in final_stage(dockerfile_instructions()) if instruction.keyword == "USER")
    return int(user.arguments.split(":")[0])


def validate(document: dict[str, Any], version: str) -> None:
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        pytest.fail(f"{document['kind']} {document['metadata']['name']}: {path}: {error.message}", pytrace=False)
    except kubernetes_validate.SchemaNotFoundError as error:
        # The validator's CLI only warns here; an unknown kind or apiVersion is an error for us.
        pytest.fail(error.message, pytrace=False)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", k8s_manifests(), ids=lambda path: path.name)
def test_manifest_is_valid(path: Path, version: str) -> None:
    documents = yaml_documents(path)
    assert documents, f"{path.name} is empty"
    for document in documents:
        validate(document, version)


def test_validation_really_rejects_errors() -> None:
    """Guards the check above against a validator that accepts everything."""
    broken = find("Deployment", "items-api")
    broken = {**broken, "spec": {**broken["spec"], "replicas": "two", "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_the_expected_objects() -> None:
    kinds = sorted((document["kind"], document["metadata"]["name"]) for _path, document in OBJECTS)
    assert kinds == sorted(
        [
            ("ConfigMap", "items-config"),
            ("ConfigMap", "items-rabbitmq-definitions"),
            ("Secret", "items-secrets"),
            ("Secret", "catalog-projection-secrets"),
            ("Job", "items-migrate"),
            ("Deployment", "items-api"),
            ("Service", "items-api"),
            ("PodDisruptionBudget", "items-api"),
            ("Deployment", "items-relay"),
            ("Deployment", "catalog-projection"),
        ]
    )


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml_documents(K8S_DIR / "kustomization.yaml")[0]
    listed = kustomization["resources"]
    expected = sorted(path.name for path in k8s_manifests() if ".example." not in path.name)
    assert sorted(listed) == expected
    repositories = {container(workload)["image"].rsplit(":", 1)[0] for workload in workloads()}
    assert {image["name"] for image in kustomization.get("images", [])} == repositories


def test_apply_order_labels() -> None:
    """docs/deployment.md applies the kustomization in steps selected by this label."""
    kustomization = yaml_documents(K8S_DIR / "kustomization.yaml")[0]
    steps: dict[str, set[str]] = {}
    for name in kustomization["resources"]:
        for document in yaml_documents(K8S_DIR / name):
            component = document["metadata"].get("labels", {}).get(COMPONENT)
            assert component, f"{document['kind']} {document['metadata']['name']} has no {COMPONENT} label"
            steps.setdefault(component, set()).add(document["kind"])
    assert steps["config"] == {"ConfigMap"}
    assert steps["migrate"] == {"Job"}


def test_secrets_are_examples_with_placeholders() -> None:
    for path, document in OBJECTS:
        if document["kind"] != "Secret":
            continue
        assert ".example." in path.name, f"{path.name}: real secrets never live in the repository"
        assert "data" not in document, "use stringData with visible placeholders"
        for key, value in document["stringData"].items():
            if "URL" in key:
                assert PLACEHOLDER in value, f"{key} must carry the {PLACEHOLDER} placeholder"


@pytest.mark.parametrize("workload", workloads(), ids=lambda workload: workload["metadata"]["name"])
def test_workload_runs_the_image_safely(workload: dict[str, Any]) -> None:
    name = workload["metadata"]["name"]
    spec = pod_spec(workload)
    main = container(workload)
    assert command_problem(main["command"]) is None, f"{name}: {command_problem(main['command'])}"
    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] == image_uid(), f"{name}: runAsUser differs from the Dockerfile's USER"
    security = main["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    tmp = [mount for mount in main.get("volumeMounts", []) if mount["mountPath"] == "/tmp"]
    assert tmp, f"{name}: a read-only root needs a writable /tmp"
    volume = next(volume for volume in spec["volumes"] if volume["name"] == tmp[0]["name"])
    assert "emptyDir" in volume
    resources = main["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"] and resources["limits"]["memory"]
    assert spec.get("automountServiceAccountToken") is False, f"{name} does not talk to the Kubernetes API"


def test_one_image_everywhere() -> None:
    assert len({container(workload)["image"] for workload in workloads()}) == 1


def test_configuration_references_exist() -> None:
    config_maps = {document["metadata"]["name"]: document["data"] for document in objects_of("ConfigMap")}
    secrets = {document["metadata"]["name"]: document["stringData"] for document in objects_of("Secret")}
    known = known_environment_variables()
    for workload in workloads():
        main = container(workload)
        names: set[str] = set()
        for source in main.get("envFrom", []):
            if "configMapRef" in source:
                names |= set(config_maps[source["configMapRef"]["name"]])
            if "secretRef" in source:
                names |= set(secrets[source["secretRef"]["name"]])
        for variable in main.get("env", []):
            names.add(variable["name"])
            reference = variable.get("valueFrom", {}).get("configMapKeyRef")
            if reference:
                assert reference["key"] in config_maps[reference["name"]]
        unknown = names - known
        assert not unknown, f"{workload['metadata']['name']} gets variables no process reads: {sorted(unknown)}"


def test_api_deployment_probes_and_drain() -> None:
    api = find("Deployment", "items-api")
    assert api["spec"]["replicas"] == 2
    main = container(api)
    spec_paths = openapi_paths()
    assert main["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert main["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert main["startupProbe"]["httpGet"]["path"] in spec_paths
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert main[probe]["httpGet"]["path"] in spec_paths
        assert main[probe]["httpGet"]["port"] in ("http", 8080)
    assert main["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    pre_stop = main["lifecycle"]["preStop"]["sleep"]["seconds"]
    graceful = int(find("ConfigMap", "items-config")["data"]["GRACEFUL_TIMEOUT"])
    # The grace period counts from the start of preStop: sleep, then gunicorn's drain, then kill.
    assert pod_spec(api)["terminationGracePeriodSeconds"] > pre_stop + graceful


def test_api_is_scraped_on_its_metrics_endpoint() -> None:
    annotations = find("Deployment", "items-api")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8080"
    assert annotations["prometheus.io/path"] in openapi_paths()


def test_service_and_budget_select_the_api_pods_only() -> None:
    api_labels = find("Deployment", "items-api")["spec"]["template"]["metadata"]["labels"]
    service = find("Service", "items-api")
    assert service["spec"]["selector"].items() <= api_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    budget = find("PodDisruptionBudget", "items-api")
    assert budget["spec"]["selector"]["matchLabels"].items() <= api_labels.items()
    assert budget["spec"]["minAvailable"] < find("Deployment", "items-api")["spec"]["replicas"]
    for workload in workloads():
        if workload["metadata"]["name"] != "items-api":
            labels = workload["spec"]["template"]["metadata"]["labels"]
            assert not service["spec"]["selector"].items() <= labels.items(), "the Service would route to it"


def test_relay_consumer_and_migration_commands() -> None:
    assert container(find("Deployment", "items-relay"))["command"] == ["python", "-m", "entrypoints.relay"]
    assert find("Deployment", "items-relay")["spec"]["replicas"] >= 1
    consumer = container(find("Deployment", "catalog-projection"))
    assert consumer["command"] == ["python", "-m", "examples.catalog_projection", "run"]
    job = find("Job", "items-migrate")
    assert container(job)["command"] == ["alembic", "upgrade", "head"]
    assert pod_spec(job)["restartPolicy"] in ("Never", "OnFailure")

"""The Dockerfile: hadolint finds nothing, and the image runs what the project provides."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from settings import PROJECT_ROOT
from tests.deploy.artifacts import (
    DOCKERFILE,
    DOCKERIGNORE,
    Instruction,
    command_problem,
    dockerfile_instructions,
    final_stage,
    http_paths,
    openapi_paths,
    tool,
)

HADOLINT_CONFIG = Path(__file__).resolve().parent / "hadolint.yaml"
# An exact release, e.g. python:3.11.16-slim-bookworm: major.minor.patch, then a variant.
PINNED_PYTHON = re.compile(r"^python:3\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?$")
# Top-level packages that stay out of the image on purpose.
NOT_SHIPPED = {"tests", "bench"}


def hadolint(path: Path) -> tuple[int, list[dict[str, object]]]:
    # The explicit config makes the result independent of any hadolint config of the machine.
    result = subprocess.run(
        [tool("hadolint"), "--config", str(HADOLINT_CONFIG), "--no-color", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip(), f"hadolint printed no report: {result.stderr}"
    return result.returncode, json.loads(result.stdout)


def runtime() -> list[Instruction]:
    return final_stage(dockerfile_instructions())


def one(instructions: list[Instruction], keyword: str) -> Instruction:
    found = [instruction for instruction in instructions if instruction.keyword == keyword]
    assert len(found) == 1, f"the runtime stage needs exactly one {keyword}, found {len(found)}"
    return found[0]


def test_hadolint_finds_nothing() -> None:
    code, findings = hadolint(DOCKERFILE)
    report = "\n".join(f"line {item['line']}: {item['code']} ({item['level']}) {item['message']}" for item in findings)
    assert code == 0 and not findings, f"hadolint:\n{report}"


def test_hadolint_really_lints(tmp_path: Path) -> None:
    """Guards the check above against a linter that passes everything (a broken install)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install curl\nUSER root\n", encoding="utf-8")
    code, findings = hadolint(bad)
    assert code != 0
    assert {"DL3007", "DL3002"} <= {item["code"] for item in findings}


def test_every_stage_uses_a_pinned_python_base() -> None:
    stages = [instruction for instruction in dockerfile_instructions() if instruction.keyword == "FROM"]
    images = [stage.arguments.split()[0] for stage in stages]
    assert len(images) >= 2, "a build stage and a runtime stage"
    for image in images:
        assert PINNED_PYTHON.match(image), f"{image} is not an exact python:X.Y.Z-slim-<debian> tag"
    assert len(set(images)) == 1, "both stages must use the same base, or the copied venv breaks"


def test_runs_as_a_fixed_non_root_uid() -> None:
    user = one(runtime(), "USER").arguments
    uid, _, gid = user.partition(":")
    # Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
    assert uid.isdigit() and int(uid) != 0, f"USER {user} must be a numeric non-root UID"
    assert not gid or (gid.isdigit() and int(gid) != 0), f"USER {user} must use a numeric non-root GID"


def test_healthcheck_probes_liveness_in_the_spec() -> None:
    healthcheck = one(runtime(), "HEALTHCHECK")
    argv = healthcheck.exec_form()
    assert argv and argv[0] == "python", "the probe must use Python's urllib: slim images have no curl"
    paths = http_paths(" ".join(argv))
    assert paths == ["/health/live"], f"the HEALTHCHECK must probe /health/live, found {paths}"
    assert "/health/live" in openapi_paths()


def test_default_command_serves_the_api_with_gunicorn() -> None:
    argv = one(runtime(), "CMD").exec_form()
    assert argv == ["gunicorn", "--config", "gunicorn.conf.py"]
    assert command_problem(argv) is None, command_problem(argv)


def test_migrations_are_not_run_on_start() -> None:
    stage = runtime()
    starts = [instruction.arguments for instruction in stage if instruction.keyword in ("CMD", "ENTRYPOINT")]
    assert not any("alembic" in start for start in starts), "migrate once per release, not in every worker"
    assert (PROJECT_ROOT / "alembic.ini").is_file()


def test_port_and_environment() -> None:
    stage = runtime()
    assert one(stage, "EXPOSE").arguments == "8080"
    environment = " ".join(instruction.arguments for instruction in stage if instruction.keyword == "ENV")
    for setting in ("HOST=0.0.0.0", "PORT=8080", "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"):
        assert setting in environment, f"ENV {setting} is missing from the runtime stage"


def test_runtime_stage_copies_the_venv_from_the_build_stage() -> None:
    build_stage = dockerfile_instructions()[0].arguments.split()
    assert build_stage[-2].upper() == "AS", "the first stage must be named"
    copies = [instruction.arguments for instruction in runtime() if instruction.keyword == "COPY"]
    assert any(arguments.startswith(f"--from={build_stage[-1]} ") for arguments in copies)


def test_dockerignore_admits_every_package_the_processes_need() -> None:
    rules = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    rules = [rule for rule in rules if rule and not rule.startswith("#")]
    assert rules[0] == "*", ".dockerignore must deny by default, so no secret or database slips in"
    admitted = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    packages = {path.parent.name for path in PROJECT_ROOT.glob("*/__init__.py")}
    missing = packages - NOT_SHIPPED - admitted
    assert not missing, f"admit these packages in .dockerignore, or list them in NOT_SHIPPED: {sorted(missing)}"
    # What the code opens by path (settings.PROJECT_ROOT) and what the start commands read.
    files = ["app.py", "settings.py", "gunicorn.conf.py", "alembic.ini", "requirements.txt"]
    for needed in [*files, "migrations", "schemas", "static", "swagger"]:
        assert needed in admitted, f".dockerignore must admit {needed}"
        assert (PROJECT_ROOT / needed).exists(), f"{needed} is admitted but does not exist"

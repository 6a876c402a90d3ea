"""Readers shared by the deployment checks: the Dockerfile, YAML documents, commands, settings."""

from __future__ import annotations

import json
import re
import shutil
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from examples.catalog_projection.catalog_settings import CatalogSettings
from settings import PROJECT_ROOT, field_names

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
DOCKERIGNORE = PROJECT_ROOT / ".dockerignore"
COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
K8S_DIR = PROJECT_ROOT / "deploy" / "k8s"
OPENAPI = PROJECT_ROOT / "swagger" / "openapi.yaml"
GUNICORN_CONF = PROJECT_ROOT / "gunicorn.conf.py"
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
INSTALL_HINT = "install the test tools: .venv/bin/pip install -r requirements-test.txt"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form CMD/ENTRYPOINT/HEALTHCHECK CMD, or None for shell form."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            match = re.search(r"\bCMD\s+(.*)$", text, re.DOTALL)
            if match is None:
                return None
            text = match.group(1)
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None
        return [str(part) for part in value] if isinstance(value, list) else None


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    """The instructions in order, continuation lines joined and comment lines dropped, as
    the Docker builder reads them (backslash escape, the default)."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction is removed by the builder
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        text = " ".join(part for part in pending if part)
        pending = []
        keyword, _, arguments = text.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
    assert not pending, f"{path.name} ends inside a continued instruction"
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    """The instructions of the last stage: the image that runs."""
    last_from = max(index for index, instruction in enumerate(instructions) if instruction.keyword == "FROM")
    return instructions[last_from:]


def yaml_documents(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as stream:
        return [document for document in yaml.safe_load_all(stream) if document is not None]


def k8s_manifests() -> list[Path]:
    """Every Kubernetes object file, without the kustomization (not a cluster object)."""
    return sorted(path for path in K8S_DIR.glob("*.yaml") if path.name != "kustomization.yaml")


def k8s_objects() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, document) for path in k8s_manifests() for document in yaml_documents(path)]


def openapi_paths() -> set[str]:
    return set(yaml_documents(OPENAPI)[0]["paths"])


def http_paths(text: str) -> list[str]:
    """The URL paths of the loopback HTTP URLs in a probe command."""
    return re.findall(r"http://(?:127\.0\.0\.1|localhost)(?::[^/'\"]+)?(/[^'\"\s?]*)", text)


def known_environment_variables() -> set[str]:
    """Every variable a process of the image reads: the service settings, the projection's
    `CATALOG_*` settings and gunicorn.conf.py's own knobs."""
    names = {field.upper() for field in field_names()}
    names |= {f"CATALOG_{field.upper()}" for field in CatalogSettings.model_fields}
    names |= set(re.findall(r"os\.environ(?:\.get\(|\[)\s*\"([A-Z0-9_]+)\"", GUNICORN_CONF.read_text(encoding="utf-8")))
    return names


def unknown_variables(environment: dict[str, Any]) -> set[str]:
    """The variables of a container's environment that no process of the image reads.

    OTEL_* are OpenTelemetry's own variables, read by its SDK (docs/observability.md).
    """
    return {name for name in environment if not name.startswith("OTEL_")} - known_environment_variables()


def module_source(module: str) -> Path | None:
    """The file `python -m module` runs, or None when there is no such module in the project."""
    base = PROJECT_ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__main__.py"):
        if candidate.is_file():
            return candidate
    return None


def command_problem(argv: list[str]) -> str | None:
    """Why `argv`, run from the project root in the image, would not find its code; None if it would."""
    if not argv:
        return "empty command"
    program = argv[0]
    if program in ("python", "python3") and len(argv) >= 3 and argv[1] == "-m":
        return None if module_source(argv[2]) else f"no module {argv[2]} in the project"
    if program == "gunicorn":
        if "--config" not in argv:
            return "gunicorn without --config"
        config = PROJECT_ROOT / argv[argv.index("--config") + 1]
        if not config.is_file():
            return f"no {config.name}"
        match = re.search(r"^wsgi_app\s*=\s*\"([\w.]+):(\w+)", config.read_text(encoding="utf-8"), re.MULTILINE)
        if match is None:
            return f"{config.name} names no wsgi_app"
        source = module_source(match.group(1))
        if source is None or f"def {match.group(2)}(" not in source.read_text(encoding="utf-8"):
            return f"{config.name} names {match.group(1)}:{match.group(2)}, which does not exist"
        return None
    if program == "alembic":
        if argv[1:] != ["upgrade", "head"]:
            return f"unexpected alembic command {argv[1:]}"
        if not ALEMBIC_INI.is_file():
            return "no alembic.ini"
        return None if (PROJECT_ROOT / "migrations" / "env.py").is_file() else "no migrations/env.py"
    return f"unknown program {program}"


def tool(name: str) -> str:
    """A linter's executable from this interpreter's environment (requirements-test.txt)."""
    candidate = Path(sysconfig.get_path("scripts")) / name
    found = str(candidate) if candidate.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; {INSTALL_HINT}", pytrace=False)
    return found

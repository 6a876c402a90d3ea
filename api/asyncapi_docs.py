"""The AsyncAPI document as YAML, and the page that renders it in a browser without internet access."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class _BlockStyleDumper(yaml.SafeDumper):
    """Multi-line strings (descriptions) as `|` blocks, which read as the Markdown they are."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockStyleDumper.add_representer(str, _represent_str)


def to_yaml(document: dict[str, Any]) -> str:
    """YAML in the document's own key order."""
    return yaml.dump(document, Dumper=_BlockStyleDumper, sort_keys=False, allow_unicode=True, width=110)


class AsyncApiDocs:
    """Serialised once per process: the document changes only with a deployment."""

    def __init__(self, document: dict[str, Any], page: Path) -> None:
        self.yaml = to_yaml(document)
        self.page = page.read_text(encoding="utf-8")

"""Summarises py-spy's collapsed stacks: where the samples fall, by package and by function."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_PROCESS = re.compile(r"^process \d+:")
_STDLIB = re.compile(r"/lib/python3\.\d+/")
_FRAME = re.compile(r"^(?P<function>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")
SERVICE_MARK = "service: "


@dataclass(frozen=True)
class Frame:
    """One stack frame, with its file relative to site-packages or to the project."""

    function: str
    path: str
    in_service: bool

    @property
    def package(self) -> str:
        head = self.path.split("/")[0].removesuffix(".py").removeprefix("<frozen ").removesuffix(">")
        return SERVICE_MARK + head if self.in_service else head

    @property
    def label(self) -> str:
        return f"{self.function} ({self.path})"


@dataclass(frozen=True)
class ProfileSummary:
    """Percent of samples: innermost frame by package and by function; service functions on the stack."""

    samples: int
    self_by_package: tuple[tuple[str, float], ...]
    self_by_function: tuple[tuple[str, float], ...]
    service_inclusive: tuple[tuple[str, float], ...]


def summarise_collapsed(text: str, project_root: str, top: int = 20) -> ProfileSummary:
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    service: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(raw, project_root) for raw in stack.split(";") if not _PROCESS.match(raw)]
        if not frames:
            continue
        samples = int(count)
        total += samples
        by_package[frames[-1].package] += samples
        by_function[frames[-1].label] += samples
        service.update(dict.fromkeys((frame.label for frame in frames if frame.in_service), samples))
    return ProfileSummary(
        total, _shares(by_package, total, top), _shares(by_function, total, top), _shares(service, total, top)
    )


def _frame(raw: str, project_root: str) -> Frame:
    """Parse `function (file:line)`; py-spy must run with --full-filenames to tell service code apart."""
    match = _FRAME.match(raw)
    if not match:
        return Frame(raw, "?", False)
    path = match["file"]
    root = project_root.rstrip("/") + "/"
    if "site-packages/" in path:
        return Frame(match["function"], path.split("site-packages/")[-1], False)
    if path.startswith(root):
        return Frame(match["function"], path.removeprefix(root), True)
    return Frame(match["function"], _STDLIB.split(path)[-1], False)


def _shares(counter: Counter[str], total: int, top: int) -> tuple[tuple[str, float], ...]:
    return tuple((label, 100 * count / total) for label, count in counter.most_common(top)) if total else ()

"""Imports every module of a package, so that what they declare (events, repositories) is known.

A resource adds modules and nothing else: its events declare themselves in `domain/`, its SQL
repository registers itself for its port in `adapters/`. Done once, when a process composes itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def import_all(package: ModuleType) -> None:
    for module in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        importlib.import_module(module.name)

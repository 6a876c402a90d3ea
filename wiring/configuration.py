"""Binds the settings and the loaded OpenAPI document."""

from __future__ import annotations

from typing import Any, NewType

from injector import Binder, Module

from settings import Settings

OpenApiSpec = NewType("OpenApiSpec", dict)
"""The parsed `swagger/openapi.yaml`, the single source of the API's schemas."""


class ConfigurationModule(Module):
    def __init__(self, settings: Settings, spec: dict[str, Any]) -> None:
        self._settings = settings
        self._spec = spec

    def configure(self, binder: Binder) -> None:
        binder.bind(Settings, to=self._settings)
        binder.bind(OpenApiSpec, to=OpenApiSpec(self._spec))

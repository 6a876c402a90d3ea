"""Binds the bearer-token verifier."""

from __future__ import annotations

from injector import Module, provider, singleton

from adapters.jwt_verifier import JwtVerifier
from settings import Settings


class SecurityModule(Module):
    @singleton
    @provider
    def jwt_verifier(self, settings: Settings) -> JwtVerifier:
        return JwtVerifier(settings)

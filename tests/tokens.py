"""Bearer tokens for tests, signed with the test app's dev secret."""

from __future__ import annotations

from functools import cache

from adapters.dev_signing_key import load_or_create_dev_secret
from api.dev_token_endpoint import mint
from api.spec_documents import declared_scopes
from app import load_spec
from settings import Settings


@cache
def every_scope() -> str:
    """Every scope the spec declares, space-separated, as a token's `scope` claim holds them."""
    return " ".join(declared_scopes(load_spec()))


def bearer(settings: Settings, scopes: str | None = None, **overrides: object) -> dict[str, str]:
    """An Authorization header the app accepts (or, with overrides, one it must refuse); `subject=` names the caller."""
    secret = str(overrides.pop("secret", None) or load_or_create_dev_secret(settings.auth_dev_secret_file))
    token = mint(
        secret,
        str(overrides.pop("issuer", settings.auth_issuer)),
        str(overrides.pop("audience", settings.auth_audience)),
        every_scope() if scopes is None else scopes,
        str(overrides.pop("subject", "test-user")),
        int(overrides.pop("ttl", 600)),  # type: ignore[call-overload]
    )
    return {"Authorization": f"Bearer {token}"}

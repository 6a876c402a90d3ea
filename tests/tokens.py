"""Bearer tokens for tests, signed with the test app's dev secret."""

from __future__ import annotations

from adapters.dev_signing_key import load_or_create_dev_secret
from entrypoints.dev_token import all_scopes, mint
from settings import Settings


def bearer(settings: Settings, scopes: str | None = None, **overrides: object) -> dict[str, str]:
    """An Authorization header the app accepts (or, with overrides, one it must refuse)."""
    secret = str(overrides.pop("secret", None) or load_or_create_dev_secret(settings.auth_dev_secret_file))
    token = mint(
        secret,
        str(overrides.pop("issuer", settings.auth_issuer)),
        str(overrides.pop("audience", settings.auth_audience)),
        scopes if scopes is not None else all_scopes(),
        "test-user",
        int(overrides.pop("ttl", 600)),  # type: ignore[call-overload]
    )
    return {"Authorization": f"Bearer {token}"}

"""`make token`: mints a local bearer token signed with the dev secret, for trying the API."""

from __future__ import annotations

import argparse
import time
import uuid
from typing import Any

import jwt

from adapters.dev_signing_key import load_or_create_dev_secret
from app import load_spec
from settings import load_settings


def all_scopes(spec: dict[str, Any] | None = None) -> str:
    """Every scope an operation of the spec requires, space-separated as in a token's `scope`."""
    scopes: set[str] = set()
    for path in (spec or load_spec()).get("paths", {}).values():
        for operation in path.values():
            for requirement in operation.get("security", []) if isinstance(operation, dict) else []:
                for required in requirement.values():
                    scopes.update(required)
    return " ".join(sorted(scopes))


def mint(secret: str, issuer: str, audience: str, scopes: str, subject: str, ttl_s: int) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "scope": scopes,
        "iat": now,
        "exp": now + ttl_s,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scopes", help="space-separated scopes (default: every scope of the spec)")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args()
    settings = load_settings()
    secret = load_or_create_dev_secret(settings.auth_dev_secret_file)
    scopes = args.scopes or all_scopes()
    print(mint(secret, settings.auth_issuer, settings.auth_audience, scopes, args.subject, args.ttl))


if __name__ == "__main__":
    main()

"""`make token`: mints a local bearer token signed with the dev secret, for trying the API."""

from __future__ import annotations

import argparse
import time
import uuid

import jwt

from adapters.dev_signing_key import load_or_create_dev_secret
from settings import load_settings

ALL_SCOPES = "items:read items:write"


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
    parser.add_argument("--scopes", default=ALL_SCOPES, help="space-separated scopes")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args()
    settings = load_settings()
    secret = load_or_create_dev_secret(settings.auth_dev_secret_file)
    print(mint(secret, settings.auth_issuer, settings.auth_audience, args.scopes, args.subject, args.ttl))


if __name__ == "__main__":
    main()

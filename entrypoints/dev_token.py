"""`make token`: mints a local bearer token signed with the dev secret, for trying the API."""

from __future__ import annotations

import argparse

from adapters.dev_signing_key import load_or_create_dev_secret
from api.dev_token_endpoint import dev_client_secret, mint
from api.spec_documents import declared_scopes
from app import load_spec
from settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scopes", help="space-separated scopes (default: every scope the spec declares)")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    parser.add_argument(
        "--client-secret",
        action="store_true",
        help="print the client secret of the development token endpoint (for Swagger UI's Authorize) instead",
    )
    args = parser.parse_args()
    settings = load_settings()
    secret = load_or_create_dev_secret(settings.auth_dev_secret_file)
    if args.client_secret:
        print(dev_client_secret(secret))
        return
    scopes = args.scopes if args.scopes is not None else " ".join(declared_scopes(load_spec()))
    print(mint(secret, settings.auth_issuer, settings.auth_audience, scopes, args.subject, args.ttl))


if __name__ == "__main__":
    main()

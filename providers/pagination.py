"""Opaque keyset cursors: the position after which the next page starts."""

from __future__ import annotations

import base64
import binascii
import json
from uuid import UUID

from domain.errors import InvalidCursor

_VERSION = 1


def encode_cursor(after: UUID) -> str:
    raw = json.dumps({"v": _VERSION, "after": str(after)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if data["v"] != _VERSION:
            raise ValueError("unknown cursor version")
        return UUID(data["after"])
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidCursor("the cursor is not one this API issued; start again without it") from exc

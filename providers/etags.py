"""Entity tags derived from an item's version, and the RFC 9110 precondition checks."""

from __future__ import annotations


def etag_for(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def if_match_allows(header: str | None, version: int) -> bool:
    """If-Match uses the strong comparison: a weak tag never matches."""
    if header is None:
        return True
    tags = _tags(header)
    return "*" in tags or etag_for(version) in tags


def if_none_match_hits(header: str | None, version: int) -> bool:
    """If-None-Match uses the weak comparison: `W/"3"` matches version 3."""
    if header is None:
        return False
    tags = [tag.removeprefix("W/") for tag in _tags(header)]
    return "*" in tags or etag_for(version) in tags

"""Entity tags derived from a resource's version, and the RFC 9110 precondition headers."""

from __future__ import annotations

from providers.versioned_resources import ANY_VERSION, Precondition


def etag_for(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def if_match(header: str | None) -> Precondition:
    """If-Match uses the strong comparison: a weak tag never matches, `*` matches any version."""
    if header is None:
        return ANY_VERSION
    tags = _tags(header)
    if "*" in tags:
        return ANY_VERSION
    versions = {int(tag[1:-1]) for tag in tags if len(tag) > 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit()}
    return Precondition(frozenset(versions))


def if_none_match_hits(header: str | None, version: int) -> bool:
    """If-None-Match uses the weak comparison: `W/"3"` matches version 3."""
    if header is None:
        return False
    tags = [tag.removeprefix("W/") for tag in _tags(header)]
    return "*" in tags or etag_for(version) in tags

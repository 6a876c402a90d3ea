"""Errors raised while encoding or decoding events."""

from __future__ import annotations


class UndecodableEvent(ValueError):
    """A message body that is not a readable single-object encoded event."""


class UnknownSchema(UndecodableEvent, LookupError):
    """A schema fingerprint that the registry does not know."""


class UnknownEventType(LookupError):
    """An event type that has no schema in the registry."""

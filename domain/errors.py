"""Errors a client can cause; the API layer decides how each kind is answered."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a client can cause; `title` is a short summary of the kind."""

    title = "The request cannot be served"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The resource does not exist (any more)."""

    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the current state of a resource."""

    title = "Conflict"


class PreconditionFailed(DomainError):
    """The client's expected version is not the current one."""

    title = "Precondition failed"


class Unprocessable(DomainError):
    """Well-formed, but it would break a rule of the resource."""

    title = "Unprocessable"


class Invalid(DomainError):
    """Malformed input that the contract's schema cannot catch (e.g. an opaque token)."""

    title = "Bad request"


class ConcurrentModification(Conflict):
    title = "The resource changed while it was being written"


class IdempotencyKeyReused(Unprocessable):
    title = "Idempotency-Key reused with a different request"


class InvalidCursor(Invalid):
    title = "Invalid cursor"

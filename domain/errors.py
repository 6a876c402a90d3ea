"""Domain errors; the API layer maps each one to a problem+json response."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a client can cause."""

    status = 400
    slug = "bad-request"
    title = "Bad Request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ItemNotFound(DomainError):
    status = 404
    slug = "item-not-found"
    title = "Item not found"


class DuplicateSku(DomainError):
    status = 409
    slug = "duplicate-sku"
    title = "SKU already in use"


class PreconditionFailed(DomainError):
    status = 412
    slug = "precondition-failed"
    title = "Precondition failed"


class IdempotencyKeyReused(DomainError):
    status = 422
    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different body"


class InvalidItem(DomainError):
    status = 422
    slug = "invalid-item"
    title = "The item would be invalid"


class InvalidCursor(DomainError):
    status = 400
    slug = "invalid-cursor"
    title = "Invalid cursor"


class ConcurrentModification(DomainError):
    status = 409
    slug = "concurrent-modification"
    title = "The item changed while it was being written"

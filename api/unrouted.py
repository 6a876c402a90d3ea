"""Guards Flask against requests that Connexion's router did not match (odd characters in paths)."""

from __future__ import annotations

from connexion.context import _operation
from flask import request
from werkzeug.exceptions import NotFound


def reject_unrouted() -> None:
    """Flask's router is laxer than Connexion's (e.g. a newline in a path segment): answer 404."""
    if _operation.get(None) is None and request.endpoint != "static":
        raise NotFound()

"""One error model for every error: RFC 9457 problem details."""

from __future__ import annotations

import logging
import re

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.problem import problem

from domain.errors import Conflict, DomainError, Invalid, NotFound, PreconditionFailed, Unprocessable

PROBLEM_TYPE_BASE = "https://items.example/problems/"
"""Problem `type` URIs; each one is documented in docs/api.md."""

STATUS_OF: dict[type[DomainError], int] = {
    Invalid: 400,
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    Unprocessable: 422,
}
"""The status of each kind of domain error; a new error subclasses one of these kinds."""

MAX_DETAIL_CHARS = 300

log = logging.getLogger(__name__)


def domain_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """`type` is named after the error's class: `ItemNotFound` is `.../problems/item-not-found`."""
    assert isinstance(exc, DomainError)
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    return problem(status, exc.title, exc.detail, type=PROBLEM_TYPE_BASE + slug(type(exc)))


def slug(error: type[DomainError]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", error.__name__).lower()


def framework_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Connexion's own problems, with the detail cut to its first line: no echo of huge inputs."""
    assert isinstance(exc, ProblemException)
    detail = str(exc.detail or "").split("\n", 1)[0]
    if len(detail) > MAX_DETAIL_CHARS:
        detail = detail[: MAX_DETAIL_CHARS - 1] + "…"
    log.info("client error %s: %s", exc.status, detail)
    headers = dict(exc.headers or {})
    if exc.status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="items"')
    return problem(exc.status, exc.title, detail, type=exc.type, headers=headers)


def invalid_text(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.info("rejected text that is not valid Unicode: %s", exc)
    return problem(400, "Bad Request", "the body or a field is not valid UTF-8 text")

"""One error model for every error: RFC 9457 problem details."""

from __future__ import annotations

import logging

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.problem import problem

from domain.errors import DomainError

PROBLEM_TYPE_BASE = "https://items.example/problems/"
"""Problem `type` URIs; each one is documented in docs/api.md."""

MAX_DETAIL_CHARS = 300

log = logging.getLogger(__name__)


def domain_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.title, exc.detail, type=PROBLEM_TYPE_BASE + exc.slug)


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

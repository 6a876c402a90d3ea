"""One error model for every error: RFC 9457 problem details."""

from __future__ import annotations

import logging

from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.problem import problem

from domain.errors import DomainError

PROBLEM_TYPE_BASE = "https://items.example/problems/"
"""Problem `type` URIs; each one is documented in docs/api.md."""

log = logging.getLogger(__name__)


def domain_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.title, exc.detail, type=PROBLEM_TYPE_BASE + exc.slug)


def unencodable_text(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.info("rejected text that is not valid Unicode: %s", exc)
    return problem(400, "Bad Request", "text must be valid Unicode (no lone surrogates)")

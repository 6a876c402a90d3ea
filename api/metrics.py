"""The Prometheus scrape endpoint."""

from __future__ import annotations

from flask import Response
from injector import Inject

from observability.metrics import OUTBOX_OLDEST_AGE, OUTBOX_PENDING, exposition
from providers.health_provider import Backlog


def scrape(backlog: Inject[Backlog]) -> Response:
    # Measured at scrape time, so the gauges are as fresh as the scrape and cost nothing between.
    pending, oldest_age_s = backlog.measure()
    OUTBOX_PENDING.set(pending)
    OUTBOX_OLDEST_AGE.set(oldest_age_s or 0.0)
    body, content_type = exposition()
    return Response(body, 200, content_type=content_type)

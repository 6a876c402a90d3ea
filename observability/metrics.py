"""Prometheus metrics of every process; multiprocess mode sums them across gunicorn workers."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.multiprocess import MultiProcessCollector

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered.", ["operation", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["operation", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_PENDING = Gauge(
    "outbox_pending_events", "Outbox rows not yet confirmed by the broker.", multiprocess_mode="mostrecent"
)
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_pending_age_seconds",
    "Age of the oldest unpublished outbox row (0 when none).",
    multiprocess_mode="mostrecent",
)
EVENTS_PUBLISHED = Counter("relay_events_published_total", "Events sent to the broker.")
EVENTS_CONFIRMED = Counter("relay_events_confirmed_total", "Events the broker confirmed (acked).")
EVENTS_NACKED = Counter("relay_events_nacked_total", "Events the broker refused (nacked or timed out).")
EVENTS_UNROUTED = Counter(
    "relay_events_unrouted_total", "Events the broker routed to no queue (no consumer bound); kept for replay."
)


def serve_metrics(port: int, host: str = "0.0.0.0") -> None:  # noqa: S104 - scraped from other pods
    """For processes without an HTTP API (relay, consumer): a /metrics listener of their own."""
    if port:
        start_http_server(port, addr=host)


def exposition() -> tuple[bytes, str]:
    """The text exposition: across all worker processes when multiprocess mode is on."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST

"""The projection's spans, exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` says where.

The library makes a `process` span per event with OpenTelemetry's API only; exporting them is
the application's choice, made here with the SDK, which reads every other `OTEL_*` variable
itself (sampler, resource, exporter headers and timeouts).
"""

from __future__ import annotations

import os

SERVICE_NAME = "catalog-projection"


def export_spans() -> None:
    """Install the SDK's tracer provider and exporter; nothing at all without an endpoint."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint or os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    os.environ.setdefault("OTEL_SERVICE_NAME", SERVICE_NAME)
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)

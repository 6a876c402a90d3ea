"""OpenTelemetry tracing of one process, on only when the standard `OTEL_*` variables name an exporter.

Off (no `OTEL_EXPORTER_OTLP_ENDPOINT`, no `OTEL_TRACES_EXPORTER`, or `OTEL_SDK_DISABLED=true`),
nothing is installed: no tracer provider, no middleware, no database hooks. On, spans go
through a batch processor to the OTLP/HTTP exporter, which reads its own `OTEL_EXPORTER_OTLP_*`
variables; the sampler follows `OTEL_TRACES_SAMPLER`, the resource `OTEL_RESOURCE_ATTRIBUTES`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING

from opentelemetry import trace
from sqlalchemy import Engine

if TYPE_CHECKING:  # the SDK is imported only when tracing is requested: off, a worker never loads it
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace.export import SpanExporter

OTLP = "otlp"
HTTP_PROTOBUF = "http/protobuf"
STABLE_CONVENTIONS = "http,database"
"""The stable HTTP and database semantic conventions (`http.request.method`, `db.query.text`...)
rather than the instrumentations' older default; `OTEL_SEMCONV_STABILITY_OPT_IN` overrides it."""


class TracingConfigError(SystemExit):
    """An `OTEL_*` value this service cannot honour: the process stops with one line that says so."""


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the environment asks for spans to be exported somewhere."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return bool(_exporter_names(environ))


def check_tracing_config(environ: Mapping[str, str] = os.environ) -> None:
    """`TracingConfigError` now, for what `start_tracing` could not honour later (a gunicorn master
    checks before it forks workers that would each fail)."""
    if tracing_requested(environ):
        for name in _exporter_names(environ):
            _check_exporter(name, environ)


def start_tracing(default_service_name: str, environ: MutableMapping[str, str] = os.environ) -> bool:
    """Install the tracer provider of this process, if tracing is requested; says whether it was.

    Call it once per process, after any fork: the batch processor exports from a thread.
    """
    if not tracing_requested(environ):
        return False
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    check_tracing_config(environ)
    prefer_stable_conventions(environ)
    provider = TracerProvider(resource=_resource(default_service_name, environ))
    provider.add_span_processor(BatchSpanProcessor(_otlp_exporter()))  # otlp is the one exporter checked in
    trace.set_tracer_provider(provider)
    return True


def prefer_stable_conventions(environ: MutableMapping[str, str] = os.environ) -> None:
    """Must run before the first instrumentation is built: they read the choice once per process."""
    environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", STABLE_CONVENTIONS)


def trace_engine(engine: Engine) -> None:
    """Client spans for the engine's statements, when tracing is requested (one engine per process)."""
    if not tracing_requested():
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    prefer_stable_conventions()
    SQLAlchemyInstrumentor().instrument(engine=engine)


def _exporter_names(environ: Mapping[str, str]) -> list[str]:
    names = [name.strip() for name in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if name.strip()]
    if not names:
        # Unset: OTLP, the specification's default, once an endpoint says where to.
        endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        return [OTLP] if endpoint else []
    return [name for name in names if name != "none"]


def _check_exporter(name: str, environ: Mapping[str, str]) -> None:
    if name != OTLP:
        raise TracingConfigError(f"OTEL_TRACES_EXPORTER={name} is not supported: use otlp or none")
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    if protocol and protocol != HTTP_PROTOBUF:
        raise TracingConfigError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol} is not supported: spans are exported as {HTTP_PROTOBUF} "
            "(a collector's OTLP/HTTP port, 4318 by default)"
        )


def _otlp_exporter() -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _resource(default_service_name: str, environ: Mapping[str, str]) -> Resource:
    """`OTEL_SERVICE_NAME`, else a `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else the process's own name."""
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    detected = Resource.create()
    if environ.get("OTEL_SERVICE_NAME") or not str(detected.attributes.get(SERVICE_NAME, "")).startswith(
        "unknown_service"
    ):
        return detected
    return detected.merge(Resource({SERVICE_NAME: default_service_name}))

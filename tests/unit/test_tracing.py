"""Tracing is configured by the standard OTEL_* variables alone, and log lines carry the current span's ids."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider

from app import load_spec
from items_events import EventLogFilter, ReceivedEvent
from items_events.log_context import handling
from observability.json_logs import CorrelationFilter
from observability.request_context import traceparent
from observability.span_routes import operation_routes
from observability.tracing import TracingConfigError, start_tracing, tracing_requested
from settings import PROJECT_ROOT
from tests.fresh_interpreter import BUILD_THE_APP, loaded_modules

ENDPOINT = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    ("environ", "requested"),
    [
        ({}, False),
        (ENDPOINT, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),  # the exporter's own default endpoint
        ({**ENDPOINT, "OTEL_TRACES_EXPORTER": "none"}, False),
        ({**ENDPOINT, "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, False),  # compose passes an unset variable as empty
    ],
)
def test_tracing_is_on_only_when_an_exporter_is_asked_for(environ: dict[str, str], requested: bool) -> None:
    assert tracing_requested(environ) is requested


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER=zipkin"),
        ({**ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc"),
    ],
)
def test_an_unsupported_exporter_stops_the_process_with_one_line(environ: dict[str, str], named: str) -> None:
    with pytest.raises(TracingConfigError, match=named):
        start_tracing("items-test", environ)


def test_without_an_exporter_nothing_is_installed() -> None:
    environ: dict[str, str] = {}
    assert start_tracing("items-test", environ) is False
    assert environ == {}  # not even the semantic conventions choice


def test_spans_are_named_after_the_spec_routes() -> None:
    routes = operation_routes(load_spec())
    assert routes["api.items.create"] == "/v1/items"
    assert routes["api.items.read"] == "/v1/items/{item_id}"


def _record() -> logging.LogRecord:
    return logging.LogRecord("items.test", logging.INFO, __file__, 1, "message", None, None)


def test_log_lines_take_the_current_span_ids() -> None:
    tracer = TracerProvider().get_tracer(__name__)
    with tracer.start_as_current_span("work") as span:
        record = _record()
        CorrelationFilter().filter(record)
    context = span.get_span_context()
    assert (record.trace_id, record.span_id) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")


def test_without_a_span_log_lines_take_the_request_s_own_trace_context() -> None:
    token = traceparent.set(TRACEPARENT)
    try:
        record = _record()
        CorrelationFilter().filter(record)
    finally:
        traceparent.reset(token)
    assert (record.trace_id, record.span_id) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")


def test_consumer_log_lines_take_the_span_of_the_event_being_handled() -> None:
    event = ReceivedEvent("id-1", "items.v1.ItemCreated", {}, {"traceparent": TRACEPARENT}, redelivered=False)
    tracer = TracerProvider().get_tracer(__name__)
    with handling(event), tracer.start_as_current_span("process items") as span:
        record = _record()
        EventLogFilter().filter(record)
    assert record.span_id == f"{span.get_span_context().span_id:016x}"
    with handling(event):
        record = _record()
        EventLogFilter().filter(record)
    assert record.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"  # the producer's, from the headers


def test_a_bad_otel_value_stops_gunicorn_before_it_forks_a_worker(tmp_path: Path) -> None:
    environ = {**os.environ, **ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "GUNICORN_BIND": "127.0.0.1:0"}
    environ |= {"AUTH_DEV_SECRET_FILE": str(tmp_path / "secret"), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    started = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert started.returncode != 0
    assert "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported" in started.stderr + started.stdout


def test_without_opentelemetry_the_consumer_library_traces_nothing_and_logs_as_before() -> None:
    script = (
        "import sys; sys.modules['opentelemetry'] = None\n"  # as if the `tracing` extra were not installed
        "from items_events import tracing\n"
        "from items_events.received_event import ReceivedEvent\n"
        "event = ReceivedEvent('id', 'items.v1.ItemCreated', {}, {}, redelivered=False)\n"
        "with tracing.processing(event): pass\n"
        "print(tracing.trace is None, tracing.current_span_ids())\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert ran.stdout.split() == ["True", "None"]


def test_with_tracing_off_a_worker_loads_neither_the_sdk_nor_an_instrumentation(tmp_path: Path) -> None:
    environ = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    assert loaded_modules(BUILD_THE_APP, environ, tmp_path, "opentelemetry.sdk", "opentelemetry.instrumentation") == []

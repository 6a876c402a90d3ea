"""JSON log lines on stdout: timestamp, level, logger, message, plus request, trace and span ids."""

from __future__ import annotations

import logging.config
from typing import Any

from observability.request_context import current_ids, request_id

FIELDS = "%(levelname)s %(name)s %(message)s"


class CorrelationFilter(logging.Filter):
    """Stamps every record with the ids of the request or event being handled, and of its current span."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.trace_id, record.span_id = current_ids()
        return True


class NoInstallAdviceFilter(logging.Filter):
    """Drops uvicorn's advice to install a WebSocket library, logged with every `Upgrade: websocket` request.

    The API serves no WebSocket, so its workers load none on purpose (api/header_limit.py); uvicorn's
    own "Unsupported upgrade request." warning still says what happened.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("No supported WebSocket library detected")


def logging_config(service: str, level: str = "INFO") -> dict[str, Any]:
    """A `dictConfig` for our processes, also handed to gunicorn so that its own lines are JSON too."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"correlation": {"()": CorrelationFilter}, "no_install_advice": {"()": NoInstallAdviceFilter}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": FIELDS,
                "rename_fields": {"levelname": "level", "name": "logger"},
                "static_fields": {"service": service},
                "timestamp": True,
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["correlation"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "gunicorn.error": {"handlers": ["stdout"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "uvicorn.error": {
                "handlers": ["stdout"],
                "level": level,
                "propagate": False,
                "filters": ["no_install_advice"],
            },
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # pika narrates every connection at INFO; its warnings and errors are what matter.
            "pika": {"level": "WARNING"},
        },
    }


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(service, level))

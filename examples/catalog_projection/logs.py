"""The projection's log lines: JSON on stdout, each with the id, type and trace id of the event being handled."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from items_events import EventLogFilter


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            static_fields={"service": "catalog-projection"},
            timestamp=True,
        )
    )
    handler.addFilter(EventLogFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # pika narrates every connection step at INFO; its warnings and errors are what matter.
    logging.getLogger("pika").setLevel(logging.WARNING)

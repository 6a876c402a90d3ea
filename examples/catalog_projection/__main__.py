"""`python -m examples.catalog_projection run|show`: run the projection, or print its state."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence

from prometheus_client import start_http_server

from examples.catalog_projection.catalog import CatalogSummary
from examples.catalog_projection.catalog_service import build_catalog_service, catalog_summary
from examples.catalog_projection.catalog_settings import CatalogSettings
from examples.catalog_projection.logs import configure_logging
from examples.catalog_projection.tracing import export_spans


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.catalog_projection", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="consume item events into the projection until SIGTERM")
    show = commands.add_parser("show", help="print the projection's counts and stock per tag")
    show.add_argument("--json", action="store_true", help="one JSON object instead of text")
    options = parser.parse_args(argv)
    settings = CatalogSettings()
    if options.command == "run":
        configure_logging(settings.log_level)
        export_spans()
        if settings.metrics_port:
            start_http_server(settings.metrics_port)
        build_catalog_service(settings).run()
        return 0
    summary = catalog_summary(settings)
    print(json.dumps(dataclasses.asdict(summary)) if options.json else _as_text(summary))
    return 0


def _as_text(summary: CatalogSummary) -> str:
    lines = [
        f"items: {summary.live_items} live, {summary.deleted_items} deleted",
        f"events processed: {summary.processed_events}",
        f"stock per tag ({len(summary.stock_by_tag)} tags):",
    ]
    width = max((len(tag) for tag in summary.stock_by_tag), default=0)
    lines += [f"  {tag:<{width}}  {quantity}" for tag, quantity in summary.stock_by_tag.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

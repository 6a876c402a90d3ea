"""`python -m entrypoints.release_schemas`: snapshot every changed event schema as its next released version.

The gate comes first: a schema that is not FULL_TRANSITIVE compatible with every released
version of its event is refused, nothing is written, and the exit status is 1. A breaking
change needs a new event type (a new namespace, e.g. `items.v2`), not a new version.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from eventing.compatibility import full_transitive_problems
from eventing.released_schemas import RELEASED_DIR_NAME, load_released, release, unreleased
from eventing.schema_registry import SchemaRegistry
from wiring.messaging import SCHEMAS_DIR, event_catalog

EXIT_REFUSED = 1


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m entrypoints.release_schemas", description=__doc__)
    parser.add_argument("--schemas-dir", type=Path, default=SCHEMAS_DIR, help="the current `.avsc` files")
    parser.add_argument(
        "--schema", dest="names", action="append", metavar="FULL_NAME", help="release these (default: every event)"
    )
    args = parser.parse_args(argv)
    names = args.names or [event.full_name for event in event_catalog()]
    return release_checked(SchemaRegistry.load(args.schemas_dir, names), args.schemas_dir / RELEASED_DIR_NAME, out)


def release_checked(current: SchemaRegistry, released_dir: Path, out: TextIO) -> int:
    """Release every changed schema, or none of them if any one breaks compatibility."""
    released = load_released(released_dir)
    refused = False
    for schema in unreleased(current.schemas(), released):
        problems = full_transitive_problems(schema.document, released.get(schema.full_name, []))
        for problem in problems:
            print(f"refused {schema.full_name}: {problem}", file=out)
        refused = refused or bool(problems)
    if refused:
        print("nothing released: make the change compatible (e.g. give a new field a default)", file=out)
        return EXIT_REFUSED
    written = release(current.schemas(), released_dir)
    for path in written:
        print(f"released {path.parent.name}/{path.name}", file=out)
    if not written:
        print("every current schema is already released", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

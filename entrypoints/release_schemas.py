"""`python -m entrypoints.release_schemas`: snapshot every changed event schema as its next released version."""

from __future__ import annotations

import sys

from eventing.item_events import ITEM_EVENT_SCHEMAS
from eventing.released_schemas import release
from eventing.schema_registry import SchemaRegistry
from settings import PROJECT_ROOT
from wiring.contract import RELEASED_SCHEMAS_DIR
from wiring.messaging import SCHEMAS_DIR


def main() -> int:
    current = SchemaRegistry.load(SCHEMAS_DIR, ITEM_EVENT_SCHEMAS).schemas()
    written = release(current, RELEASED_SCHEMAS_DIR)
    for path in written:
        print(f"released {path.relative_to(PROJECT_ROOT)}")
    if not written:
        print("every current schema is already released")
    # The compatibility gate runs in `make test`; a release is only a snapshot.
    return 0


if __name__ == "__main__":
    sys.exit(main())

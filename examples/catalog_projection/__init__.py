"""A separate service that keeps its own read model of the catalogue from our item events."""

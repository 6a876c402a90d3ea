"""Plain domain objects of the Items service: no I/O, no framework."""

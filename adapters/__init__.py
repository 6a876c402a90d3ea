"""Adapters: the database, the broker and everything else that does I/O."""

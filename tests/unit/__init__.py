"""Unit tests: no database, broker or network."""

"""Idiomatic reference implementations of the item endpoints, served on the same database."""

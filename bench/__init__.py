"""Benchmark harness: the Items service measured side by side with idiomatic peers."""

"""Thin HTTP handlers named by the spec's operationIds; the work happens in providers."""

"""Logs, request correlation and metrics shared by the API, the relay and the consumer."""

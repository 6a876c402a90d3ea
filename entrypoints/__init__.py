"""Process entry points: the API server, the relay, and `make run`, which starts them all."""

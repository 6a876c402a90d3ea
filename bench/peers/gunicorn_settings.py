"""Gunicorn settings of the peers, matching the service's gunicorn.conf.py where it matters."""

keepalive = 5
timeout = 30
graceful_timeout = 5
accesslog = None
preload_app = False

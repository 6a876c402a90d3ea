"""The service layer: providers that handlers receive by injection."""

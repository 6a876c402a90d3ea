"""JSON Schema validation as the OpenAPI document means it, shared by the API edge and the providers."""

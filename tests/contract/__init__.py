"""Tests of the published event contract: schemas over HTTP, AsyncAPI, schema evolution, replay."""

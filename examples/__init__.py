"""Runnable services that show how to build on the Items service's contracts."""

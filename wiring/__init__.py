"""Injector modules, one per concern; `app.create_app` composes them."""

"""How often the injector builds what handlers ask for: resource providers once per process."""

from __future__ import annotations

from pathlib import Path

from injector import Binder, Module, singleton

from api.item_representation import represent
from api.resource_responses import as_json
from app import build_injector
from providers.categories_provider import CategoriesProvider
from providers.items_provider import ItemsProvider, ItemsRepository
from providers.ports import UnitOfWork
from settings import Settings
from tests.fakes import FakeUnitOfWork

CHAIR = {"sku": "CHAIR-1", "name": "Chair", "price": {"amount_minor": 1299, "currency": "EUR"}}


def test_resource_providers_and_the_unit_of_work_are_built_once_per_process(tmp_path: Path) -> None:
    injector = build_injector(Settings(database_url=f"sqlite:///{tmp_path / 'items.db'}"))

    for wanted in (ItemsProvider, CategoriesProvider, UnitOfWork):
        assert injector.get(wanted) is injector.get(wanted), wanted


def test_a_binding_a_test_overrides_still_reaches_the_once_built_provider(tmp_path: Path) -> None:
    fake = FakeUnitOfWork()

    class FakePersistence(Module):
        def configure(self, binder: Binder) -> None:
            binder.bind(UnitOfWork, to=fake, scope=singleton)  # type: ignore[type-abstract]

    injector = build_injector(Settings(database_url=f"sqlite:///{tmp_path / 'items.db'}"), [FakePersistence()])
    created = injector.get(ItemsProvider).create(dict(CHAIR), None, as_json(represent))

    assert list(fake.rows(ItemsRepository)) == [created.resource_id]
    assert fake.commits == 1


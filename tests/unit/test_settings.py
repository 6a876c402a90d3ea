"""Settings: one clear line per bad variable, and docs that match the code."""

from __future__ import annotations

import pytest

from entrypoints.settings_doc import DOC_PATH, render
from settings import SettingsError, load_settings


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "many")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith("invalid setting DB_POOL_SIZE:")
    assert "\n" not in str(error.value)


def test_configuration_doc_lists_every_setting() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), "run: python -m entrypoints.settings_doc"

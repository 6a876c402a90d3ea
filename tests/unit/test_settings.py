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


def test_a_malformed_broker_list_is_one_clear_line_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    # pika alone would read this as one broker with the virtual host "/;amqp:", and say nothing.
    monkeypatch.setenv("AMQP_URL", "amqp://u:secret@a:5672/%2F;amqp://u:secret@b:5672/%2F")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith("invalid setting AMQP_URL:")
    assert "secret" not in str(error.value) and "\n" not in str(error.value)


def test_every_node_of_a_cluster_fits_in_amqp_url(monkeypatch: pytest.MonkeyPatch) -> None:
    nodes = "amqp://u:p@rabbit-0:5672/%2F, amqp://u:p@rabbit-1:5672/%2F amqp://u:p@rabbit-2:5672/%2F"
    monkeypatch.setenv("AMQP_URL", nodes)
    assert load_settings().amqp_url == nodes


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg://u@/items?host=db1:5432&host=db2:5432", "target_session_attrs=read-write"),
        ("postgresql+psycopg://u@/items?host=db1,db2&port=5432,5432", "target_session_attrs=read-write"),
        ("postgresql+psycopg://u@/items?host=db1:5432,db2:5432&target_session_attrs=read-write", "its own `host="),
        ("postgresql+psycopg://u@db1:5432,db2:5432/items", "several servers go in the query"),
    ],
)
def test_a_database_url_that_could_reach_a_standby_or_no_server_is_refused(
    monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError, match="invalid setting DATABASE_URL:") as error:
        load_settings()
    assert says in str(error.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://u@/items?host=db1:5432&host=db2:5432&target_session_attrs=read-write",
        "postgresql+psycopg://u@/items?host=db1,db2&port=5432,5433&target_session_attrs=read-write",
        "postgresql+psycopg://u@db1:5432/items",
    ],
)
def test_both_multi_host_forms_that_connect_are_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_settings().database_url == url

"""Settings: one clear line per bad variable, and docs that match the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from entrypoints.settings_doc import DOC_PATH, render
from settings import PROJECT_ROOT, SettingsError, load_settings
from tests.fresh_interpreter import BUILD_THE_APP, loaded_modules


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


@pytest.mark.parametrize(("word", "value"), [("yes", True), ("On", True), ("1", True), ("no", False), ("FALSE", False)])
def test_a_boolean_takes_the_usual_words(monkeypatch: pytest.MonkeyPatch, word: str, value: bool) -> None:
    monkeypatch.setenv("AUTH_ENABLED", word)
    assert load_settings().auth_enabled is value


def test_a_boolean_that_is_no_word_for_one_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCESS_LOG", "maybe")
    with pytest.raises(SettingsError, match=r"^invalid setting ACCESS_LOG: "):
        load_settings()


def test_cors_origins_are_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", '["https://shop.example", "https://admin.example"]')
    assert load_settings().cors_allow_origins == ["https://shop.example", "https://admin.example"]
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://shop.example")
    with pytest.raises(SettingsError, match=r"^invalid setting CORS_ALLOW_ORIGINS: not a JSON list"):
        load_settings()


@pytest.mark.parametrize(("name", "value"), [("LOG_LEVEL", "INFO\n"), ("LOG_LEVEL", "info"), ("PORT", "0")])
def test_a_value_out_of_its_bounds_is_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=rf"^invalid setting {name}: "):
        load_settings()


def test_variables_are_read_in_any_case_and_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("events_exchange", "lower")
    monkeypatch.setenv("PORT", "9000")
    settings = load_settings(port="9001")
    assert (settings.events_exchange, settings.port, settings.public_base_url) == (
        "lower",
        9001,
        "http://127.0.0.1:9001",
    )


def test_neither_gunicorn_nor_a_worker_loads_pydantic(tmp_path: Path) -> None:
    """Settings cost 1.7 MB with msgspec; with pydantic-settings, 10.0 MB in the master and in each worker."""
    master_then_worker = f"import runpy\nrunpy.run_path('gunicorn.conf.py')\n{BUILD_THE_APP}"
    assert loaded_modules(master_then_worker, os.environ, tmp_path, "pydantic") == []


@pytest.mark.parametrize(("value", "size"), [(" 20 ", 20), ("20\n", 20), ("+5", 5), ("1_0", 10)])
def test_a_number_is_read_as_python_reads_it(monkeypatch: pytest.MonkeyPatch, value: str, size: int) -> None:
    """A value from a YAML block or a template often carries a newline or spaces."""
    monkeypatch.setenv("DB_POOL_SIZE", value)
    assert load_settings().db_pool_size == size


@pytest.mark.parametrize("name", ["BROKER_PUBLIC_URL", "AUTH_TOKEN_URL", "AUTH_JWKS_URL"])
def test_an_optional_setting_given_empty_is_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "")
    assert getattr(load_settings(), name.lower()) is None


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DB_POOL_SIZE", "1\udcff", "not valid UTF-8"),  # an undecodable byte, as os.environ holds it
        ("CORS_ALLOW_ORIGINS", "[" * 5000, "not a JSON list"),
        ("AUTH_DEV_SECRET_FILE", 123, "expected a path"),
    ],
)
def test_hostile_values_get_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, name: str, value: object, says: str
) -> None:
    if isinstance(value, str):
        monkeypatch.setenv(name, value)
        overrides: dict[str, object] = {}
    else:
        overrides = {name.lower(): value}
    with pytest.raises(SettingsError) as error:
        load_settings(**overrides)
    assert str(error.value).startswith(f"invalid setting {name}: ") and says in str(error.value)


@pytest.mark.parametrize("command", [["-m", "entrypoints.relay"], ["-m", "gunicorn", "--config=gunicorn.conf.py"]])
def test_a_process_started_with_a_bad_value_exits_with_one_line(command: list[str]) -> None:
    environ = {**os.environ, "DB_POOL_SIZE": "20 connections"}
    ran = subprocess.run(
        [sys.executable, *command], cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert ran.returncode != 0
    expected = "invalid setting DB_POOL_SIZE: expected an integer, got '20 connections'"
    assert ran.stderr.strip().splitlines() == [expected]

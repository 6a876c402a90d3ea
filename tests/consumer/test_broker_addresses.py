"""Several broker URLs in one setting: split, checked at start, and tried in turn after a node is lost."""

from __future__ import annotations

import pytest

from items_events import ConsumerConfig
from items_events.broker_addresses import (
    address_of,
    broker_parameters,
    redact_passwords,
    split_broker_urls,
    starting_after,
)

THREE = [("a", 1), ("b", 2), ("c", 3)]


def test_one_url_is_one_address() -> None:
    [only] = broker_parameters("amqp://guest:guest@127.0.0.1:5672/%2F")

    assert address_of(only) == ("127.0.0.1", 5672)
    assert only.virtual_host == "/"


@pytest.mark.parametrize(
    "urls",
    [
        "amqp://u:p@a:1/%2F,amqp://u:p@b:2/%2F,amqp://u:p@c:3/%2F",
        "amqp://u:p@a:1/%2F, amqp://u:p@b:2/%2F  amqp://u:p@c:3/%2F",
        "\n  amqp://u:p@a:1/%2F\n  amqp://u:p@b:2/%2F\n  amqp://u:p@c:3/%2F\n",
        ("amqp://u:p@a:1/%2F", "amqp://u:p@b:2/%2F", "amqp://u:p@c:3/%2F"),
    ],
    ids=["commas", "mixed", "lines", "tuple"],
)
def test_commas_whitespace_or_a_tuple_separate_urls(urls: str | tuple[str, ...]) -> None:
    assert [address_of(each) for each in broker_parameters(urls)] == THREE


def test_a_comma_inside_a_url_and_a_query_stay_in_that_url() -> None:
    first, second = broker_parameters("amqp://u:p,w@a:1/%2F?heartbeat=7,amqps://u:p,w@b:2/%2F")

    assert (first.credentials.password, first.heartbeat, address_of(second)) == ("p,w", 7, ("b", 2))


@pytest.mark.parametrize(
    ("urls", "says"),
    [
        ("", "no broker URL"),
        (" , ", "no broker URL"),
        ("amqp://u:secret@a:1/%2F;amqp://u:secret@b:2/%2F", "the virtual host alone"),
        ("amqp://u:secret@a:1,b:2/%2F", "bad port"),
        ("amqp://u:secret@a:1/%2F garbage", "the virtual host alone"),
        ("http://u:secret@a:1/", "not an AMQP URL"),
        ("amqp://u:secret@/%2F", "no host"),
        ("amqp://u:secret@a:1/%2F?heartbeat=often", "heartbeat"),
        ("amqp://u:secret@a:1/%2F amqp://u:secret@a:1/%2F", "named twice"),
        ("amqp://u:secret@a:1/%2F amqp://u:secret@b:2/other", "same virtual host"),
    ],
)
def test_a_malformed_list_is_refused_with_what_is_wrong_and_no_password(urls: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as refused:
        split_broker_urls(urls)
    assert "secret" not in str(refused.value)


def test_the_consumer_config_takes_a_list_or_a_tuple_and_refuses_a_malformed_one() -> None:
    assert ConsumerConfig(queue="q", amqp_url=("amqp://a:1/%2F", "amqp://b:2/%2F")).amqp_url
    with pytest.raises(ValueError, match="bad port"):
        ConsumerConfig(queue="q", amqp_url="amqp://a:1,b:2/%2F")


def test_after_a_loss_the_next_node_is_tried_first_and_the_lost_one_last() -> None:
    addresses = broker_parameters("amqp://a:1/%2F amqp://b:2/%2F amqp://c:3/%2F")

    assert [address_of(each) for each in starting_after(addresses, ("b", 2))] == [("c", 3), ("a", 1), ("b", 2)]
    assert [address_of(each) for each in starting_after(addresses, ("c", 3))] == THREE
    assert starting_after(addresses, ("elsewhere", 9)) == addresses
    assert starting_after(addresses, None) == addresses


def test_passwords_are_redacted_in_every_url_of_a_list() -> None:
    shown = redact_passwords("amqp://u:s3cr,t@a:1/%2F, amqps://v:other@b:2/%2F amqp://c:3/%2F")

    assert shown == "amqp://u:***@a:1/%2F, amqps://v:***@b:2/%2F amqp://c:3/%2F"

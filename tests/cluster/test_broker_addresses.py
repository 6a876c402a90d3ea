"""Several broker URLs in one setting, and the order they are tried in after a node is lost."""

from __future__ import annotations

import pytest

from tests.cluster.broker_addresses import address_of, parse_broker_urls, starting_after


def test_one_url_is_one_address() -> None:
    [only] = parse_broker_urls("amqp://guest:guest@127.0.0.1:5672/%2F")

    assert address_of(only) == ("127.0.0.1", 5672)
    assert only.virtual_host == "/"


@pytest.mark.parametrize(
    "text",
    [
        "amqp://u:p@a:1/%2F,amqp://u:p@b:2/%2F,amqp://u:p@c:3/%2F",
        "amqp://u:p@a:1/%2F, amqp://u:p@b:2/%2F  amqp://u:p@c:3/%2F",
        "\n  amqp://u:p@a:1/%2F\n  amqp://u:p@b:2/%2F\n  amqp://u:p@c:3/%2F\n",
    ],
)
def test_commas_or_whitespace_separate_urls(text: str) -> None:
    assert [address_of(each) for each in parse_broker_urls(text)] == [("a", 1), ("b", 2), ("c", 3)]


def test_a_comma_inside_a_url_is_not_a_separator() -> None:
    [first, second] = parse_broker_urls("amqp://u:p,w@a:1/%2F,amqp://u:p,w@b:2/%2F")

    assert (first.credentials.password, address_of(second)) == ("p,w", ("b", 2))


@pytest.mark.parametrize("text", ["", " , ", "amqp://a:1/%2F,amqp://a:1/%2F"])
def test_no_url_or_the_same_broker_twice_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="AMQP_URL"):
        parse_broker_urls(text)


def test_after_a_loss_the_next_node_is_tried_first_and_the_lost_one_last() -> None:
    addresses = parse_broker_urls("amqp://a:1/%2F amqp://b:2/%2F amqp://c:3/%2F")

    assert [address_of(each) for each in starting_after(addresses, ("b", 2))] == [("c", 3), ("a", 1), ("b", 2)]
    assert starting_after(addresses, ("elsewhere", 9)) == addresses

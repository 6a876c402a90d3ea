"""Several broker addresses in one `AMQP_URL`, and the order to try them in after a node is lost.

A prototype for the relay and the consumer runner. pika takes a sequence of `Parameters`
wherever it takes one (`BlockingConnection(seq)`, `SelectConnection.create_connection(seq,
...)`) and tries them in order, once each, until one completes the AMQP handshake. The
retry count and pause of the whole sequence are the *last* element's `connection_attempts`
and `retry_delay`; each address has its own `socket_timeout` and `stack_timeout`, so an
address that swallows packets costs up to `stack_timeout` (15 s by default) on every try.
Starting after the node just lost keeps that cost off the first reconnect.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pika
from pika.connection import Parameters

# A comma or whitespace that begins another URL; commas inside a URL (say, a password) stay.
_SEPARATOR = re.compile(r"[\s,]+(?=amqps?://)")


def parse_broker_urls(text: str) -> list[pika.URLParameters]:
    """`amqp://a:5672/%2F` or `amqp://a/%2F, amqp://b/%2F amqp://c/%2F`: one `URLParameters` per URL, in order."""
    urls = [url.strip(" ,\t\n") for url in _SEPARATOR.split(text.strip())]
    urls = [url for url in urls if url]
    if not urls:
        raise ValueError("AMQP_URL holds no broker URL")
    if len({address_of(pika.URLParameters(url)) for url in urls}) != len(urls):
        raise ValueError(f"AMQP_URL names a broker twice: {text!r}")
    return [pika.URLParameters(url) for url in urls]


def starting_after(addresses: Sequence[Parameters], lost: tuple[str, int] | None) -> list[Parameters]:
    """`addresses` rotated so that the one after `lost` (host, port) comes first and `lost` comes last."""
    hosts = [address_of(parameters) for parameters in addresses]
    if lost not in hosts:
        return list(addresses)
    start = (hosts.index(lost) + 1) % len(addresses)
    return [*addresses[start:], *addresses[:start]]


def address_of(parameters: Parameters) -> tuple[str, int]:
    """The (host, port) a connection made with `parameters` goes to."""
    return (parameters.host, parameters.port)

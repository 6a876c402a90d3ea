"""The nodes of one RabbitMQ cluster in one URL setting: checked at start, then tried in turn.

`amqp://u:p@a:5672/%2F, amqp://u:p@b:5672/%2F amqp://u:p@c:5672/%2F` (commas and/or
whitespace between URLs) names three nodes. pika would read that text as one URL with a
strange virtual host and no error, so a list is split here, and each URL is checked before
anything connects. The order is the order of preference; after losing a node, a client
tries the nodes after it first and the lost one last (`starting_after`), so a node that
swallows packets costs its `stack_timeout` only when nothing else answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

import pika
from pika.connection import Parameters
from pika.exceptions import AMQPConnectionError

Address = tuple[str, int]
"""(host, port) of one node."""

BrokerUrls = str | Sequence[str]
"""One URL, several in one text, or a sequence of either."""

# A comma or whitespace that begins another URL; a comma inside a URL (in a password) stays.
_SEPARATOR = re.compile(r"[\s,]+(?=amqps?://)", re.IGNORECASE)
_PASSWORD = re.compile(r"(//[^:/@\s,]*:)[^@\s]*@")
_SCHEMES = ("amqp", "amqps")
_EXPECTED = "expected amqp://user:password@host:port/vhost, several separated by commas or spaces"


def split_broker_urls(urls: BrokerUrls) -> list[str]:
    """The URLs in order; a `ValueError` that says what is wrong (without passwords) if any is malformed."""
    texts = [urls] if isinstance(urls, str) else list(urls)
    found = [url.strip(" ,\t\r\n") for text in texts for url in _SEPARATOR.split(text.strip())]
    found = [url for url in found if url]
    if not found:
        raise ValueError(f"no broker URL; {_EXPECTED}")
    for url in found:
        _check(url)
    addresses = [address_of(pika.URLParameters(url)) for url in found]
    if len(set(addresses)) != len(addresses):
        raise ValueError(f"the same broker node is named twice: {redact_passwords(' '.join(found))}")
    if len({_virtual_host(url) for url in found}) > 1:
        raise ValueError(f"every broker URL must name the same virtual host: {redact_passwords(' '.join(found))}")
    return found


def broker_parameters(urls: BrokerUrls) -> list[pika.URLParameters]:
    """New connection parameters for each node, in order; callers may set their own options on them."""
    return [pika.URLParameters(url) for url in split_broker_urls(urls)]


def address_of(parameters: Parameters) -> Address:
    """The node a connection made with `parameters` goes to."""
    return (str(parameters.host), int(parameters.port))


def starting_after(addresses: Sequence[Parameters], lost: Address | None) -> list[Parameters]:
    """`addresses` rotated so that the node after `lost` comes first and `lost` comes last."""
    nodes = [address_of(parameters) for parameters in addresses]
    if lost not in nodes:
        return list(addresses)
    start = (nodes.index(lost) + 1) % len(addresses)
    return [*addresses[start:], *addresses[:start]]


def first_answering(addresses: Sequence[Parameters]) -> tuple[pika.BlockingConnection, Address]:
    """A blocking connection to the first node that completes the handshake, and that node.

    What `pika.BlockingConnection(addresses)` does, except that it says which node answered.
    """
    failure: AMQPConnectionError | None = None
    for parameters in addresses:
        try:
            return pika.BlockingConnection(parameters), address_of(parameters)
        except AMQPConnectionError as exc:  # refused, reset, timed out, or refused credentials
            failure = exc
    raise failure or AMQPConnectionError("no broker address to connect to")


def redact_passwords(text: str) -> str:
    """Broker URLs fit for a log line or an error: every password replaced by `***`; never raises."""
    return _PASSWORD.sub(r"\1***@", text)


def _check(url: str) -> None:
    shown = redact_passwords(url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        raise ValueError(f"not an AMQP URL: {shown!r}; {_EXPECTED}")
    try:
        parts.port  # noqa: B018 - urllib checks the port only when it is read
    except ValueError:
        raise ValueError(f"bad port in {shown!r}; {_EXPECTED}") from None
    if not parts.hostname:
        raise ValueError(f"no host in {shown!r}; {_EXPECTED}")
    if re.search(r"[\s,/]", parts.path[1:]):
        raise ValueError(
            f"{shown!r}: the path must be the virtual host alone, percent-encoded ('/' as %2F, ',' as %2C); "
            "separate URLs with commas or spaces"
        )
    try:
        pika.URLParameters(url)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{shown!r}: {exc}") from None


def _virtual_host(url: str) -> str:
    path = urlsplit(url).path
    return unquote(path[1:]) if len(path) > 1 else "/"

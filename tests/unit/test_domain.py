"""Pure domain and HTTP-precondition rules."""

from __future__ import annotations

from uuid6 import uuid7

from api.etags import etag_for, if_match, if_none_match_hits
from domain.merge_patch import merge_patch
from providers.pagination import decode_cursor, encode_cursor


def test_merge_patch_follows_rfc7396_examples() -> None:
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}


def test_if_match_is_strong_and_if_none_match_is_weak() -> None:
    assert if_match(None).allows(3)
    assert if_match('"2", "3"').allows(3) and if_match("*").allows(3)
    assert not if_match('W/"3"').allows(3) and not if_match('"2"').allows(3)
    assert if_none_match_hits('W/"3"', 3) and if_none_match_hits(etag_for(3), 3)
    assert not if_none_match_hits('"4"', 3) and not if_none_match_hits(None, 3)


def test_cursor_round_trips() -> None:
    position = uuid7()
    assert decode_cursor(encode_cursor(position)) == position

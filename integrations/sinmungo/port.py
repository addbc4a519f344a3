"""The port: what ingest needs of a live 신문고 feed (pure; the HTTP adapter implements it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class FeedPage:
    items: tuple[dict[str, Any], ...]  # raw items, validated by ingest (a bad one is reported, not fatal)
    next_cursor: str
    more: bool


class ComplaintFeed(Protocol):
    def fetch(self, after: str, limit: int = 200) -> FeedPage:
        """Items after ``after`` ("" for the beginning), oldest first."""
        ...


class FeedUnavailable(Exception):
    """The feed did not answer, or answered something that is not the protocol; the message says what."""

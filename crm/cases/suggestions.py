"""Category suggestions for a case: the port the case store asks (an analytics classifier behind it, wired by
the composition root), the text it is asked about, and the agent's choice kept for retraining.

The case store never imports analytics: ``CategorySuggester`` is all it knows. The text handed to it is only
what the reader may see of the case, and the adapter masks it before the model sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kernel.errors import DomainError, ValidationFailed

TOP_K = 3
MAX_SHOWN = 10  # what a client may say it showed (the console shows TOP_K)
MAX_TEXT = 20000  # characters of case text sent to the classifier


class SuggestionsUnavailable(DomainError):
    """No classifier (none trained, or still loading): the console offers the category list alone."""

    code = "suggestions-unavailable"


class CategorySuggester(Protocol):
    """The likeliest categories of a text, best first, with scores in 0..1.

    Raises ``SuggestionsUnavailable`` while the model is not (yet) usable."""

    def suggest(self, text: str, k: int) -> list[tuple[str, float]]: ...


@dataclass(frozen=True)
class CategoryChoice:
    """The category an agent set on a case, and what the classifier had shown them for it."""

    case_id: int
    agent_id: int | None
    center: str
    chosen: str
    suggested: tuple[str, ...]
    rank: int | None  # 1-based position of ``chosen`` in ``suggested``; None when the agent chose another
    at: dt.datetime


def choice_rank(chosen: str, suggested: Sequence[str]) -> int | None:
    """1 when the agent took the first suggestion, 2 the second …; None when they chose another category."""
    for position, category in enumerate(suggested, start=1):
        if category == chosen:
            return position
    return None


def shown_suggestions(shown: Sequence[str]) -> tuple[str, ...]:
    """The categories a client says it showed, checked: 1 to MAX_SHOWN distinct, non-blank names."""
    cleaned = tuple(s.strip() for s in shown)
    if not cleaned or len(cleaned) > MAX_SHOWN:
        raise ValidationFailed(f"suggestions: give 1 to {MAX_SHOWN} categories", parameter="suggestions")
    if any(not s or len(s) > 100 for s in cleaned):
        raise ValidationFailed("suggestions: each is a category name of 1-100 characters", parameter="suggestions")
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed("suggestions: a category is listed twice", parameter="suggestions")
    return cleaned


def case_text(summary: str, notes: Sequence[str | None]) -> str:
    """What the classifier reads of a case: its summary, then the notes the reader may see, oldest first."""
    parts = [summary.strip(), *((n or "").strip() for n in notes)]
    return "\n".join(p for p in parts if p)[:MAX_TEXT]

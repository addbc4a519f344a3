"""Request and response models of case work: category suggestions and agent-scheduled callbacks."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, StrictInt

from kernel.http.models import In, Out


class SuggestionOut(Out):
    rank: int  # 1 = the likeliest
    category: str
    label: str  # the Korean name the console shows
    score: float  # 0..1


class SuggestionsOut(Out):
    """The classifier's top categories for the case's text the reader may see (summary and notes, masked)."""

    case_number: str
    category: str | None  # the case's category now
    suggestions: list[SuggestionOut]


class ScheduleCallbackIn(In):
    """A callback inside a window (at least 15 minutes, starting in the future, ending within 14 days) to the
    calling number or a number on file for the contact's citizen (its index in the citizen's ``phones``, as
    listed masked by the citizen and screen-pop routes): never a typed number."""

    window_start: AwareDatetime
    window_end: AwareDatetime
    number: Literal["calling"] | StrictInt = Field(
        description='"calling", or the index of a number on file (0 = first)'
    )
    reason: str = Field(min_length=1, max_length=60)

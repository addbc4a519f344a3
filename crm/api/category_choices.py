"""The agent's category choice after the classifier's suggestions were shown, written with the case update."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crm.cases.model import Case
from crm.cases.suggestions import CategoryChoice, choice_rank, shown_suggestions
from crm.store.case_work import add_category_choice
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Actor
from kernel.errors import ValidationFailed


def record_category_choice(
    uow: SqlUnitOfWork, actor: Actor, now: dt.datetime, case: Case, chosen: str | None, shown: Sequence[str]
) -> None:
    """One ``category_choices`` row: the category set, the suggestions shown (best first) and its rank there."""
    if chosen is None or not chosen.strip():
        raise ValidationFailed("suggestions go with the category chosen: give category too", parameter="category")
    suggested = shown_suggestions(shown)
    assert case.id is not None and uow.session is not None
    center = actor.center_code or case.owner_center
    choice = CategoryChoice(case.id, actor.agent_id, center, chosen.strip(), suggested,
                            choice_rank(chosen.strip(), suggested), now)  # fmt: skip
    add_category_choice(uow.session, choice)

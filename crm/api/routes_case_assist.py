"""Routes: help with a case while working it: the classifier's category suggestions (the agent's choice is
recorded by ``PATCH /cases/{number}``), and callbacks an agent schedules from a contact they serve."""

from __future__ import annotations

import logging
from typing import Any

from crm.access import views
from crm.access.model import Purpose
from crm.api import present
from crm.api import schemas as s
from crm.api import schemas_case_work as w
from crm.api.case_params import case_number
from crm.api.deps import ApiDeps
from crm.api.guards import own_open_contact
from crm.api.routes_core import PURPOSE_PARAM, REASON_PARAM, V1
from crm.cases.agent_callbacks import schedule_callback
from crm.cases.suggestions import TOP_K, SuggestionsUnavailable, case_text
from crm.store.uow import SqlUnitOfWork
from kernel.http.kit import ApiRequest, Later, Reply, Router

log = logging.getLogger("sori.api")


def register(router: Router, deps: ApiDeps) -> None:
    register_suggestions(router, deps)
    register_callbacks(router, deps)


def register_suggestions(router: Router, deps: ApiDeps) -> None:
    def suggestions(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        suggester = deps.suggester
        if suggester is None:
            raise SuggestionsUnavailable("카테고리 추천 모델이 없습니다")
        view = views.read_case(
            uow,
            req.require_actor(),
            req.now,
            number=case_number(req),
            requested=req.q_enum("purpose", Purpose),
            reason=req.q("reason"),
            via=req.via,
        )
        # Only what the reader may see: a summary-only view has no summary, and other centers' notes are
        # left out unless shown in full; the adapter masks the text before the model reads it.
        text = case_text(view.case.summary, [c.interaction.notes for c in view.contacts if c.detail == "full"])
        top = suggester.suggest(text, TOP_K) if text else []
        out = [w.SuggestionOut(rank=i, category=c, label=c, score=round(score, 4)) for i, (c, score) in
               enumerate(top[:TOP_K], start=1)]  # fmt: skip
        return Reply(200, w.SuggestionsOut(case_number=view.case.number, category=view.case.category, suggestions=out))

    router.route(
        "GET",
        f"{V1}/cases/{{number}}/category-suggestions",
        summary="The classifier's top 3 categories for the case (its text you may see, masked; access-logged)",
        tag="cases",
        responses={200: w.SuggestionsOut},
        errors=(400, 401, 403, 404, 422, 503),
        query=(PURPOSE_PARAM, REASON_PARAM),
    )(suggestions)


def register_callbacks(router: Router, deps: ApiDeps) -> None:
    def schedule(req: ApiRequest[w.ScheduleCallbackIn], uow: SqlUnitOfWork) -> Reply | Later:
        b = req.body
        callback = schedule_callback(
            uow,
            req.require_actor(),
            req.now,
            interaction_id=req.param_int("interaction_id"),
            window_start=b.window_start,
            window_end=b.window_end,
            number=b.number,
            reason=b.reason,
        )
        reply = Reply(201, present.callback(callback))
        notify = deps.callback_scheduled
        if notify is None or callback.id is None:
            return reply
        callback_id = callback.id

        def tell_desk() -> Reply:  # after the commit: the desk reads the row it is told of
            try:
                notify(callback_id)
            except Exception:
                log.exception("the desk was not told of callback %s (it loads it at its next start)", callback_id)
            return reply

        return Later(tell_desk)

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/callbacks",
        summary="Schedule a callback in a time window to the calling number or a number on file",
        tag="interactions",
        body=w.ScheduleCallbackIn,
        responses={201: s.CallbackOut},
        errors=(401, 403, 404, 409, 422),
        guard=own_open_contact,
    )(schedule)

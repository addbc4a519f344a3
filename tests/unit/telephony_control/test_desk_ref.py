"""``DeskRef.later``: a desk request's work runs on the reactor after the handler returns, and never waits forever."""

from __future__ import annotations

from typing import Any

import pytest
from twisted.internet import defer, task

from kernel.http.errors import ApiError
from kernel.http.kit import Later, Reply
from sori.wiring import STATUSES
from telephony.control.api import DeskRef


def test_nothing_runs_on_the_desk_until_the_reactor_runs_the_answer() -> None:
    calls: list[str] = []
    ref = DeskRef(task.Clock(), desk=object())  # type: ignore[arg-type]

    def work(desk: object) -> dict[str, bool]:
        calls.append("desk")
        return {"ok": True}

    later = ref.later(work, lambda result: Reply(200, result))
    assert isinstance(later, Later) and calls == [], "the handler's database thread does not touch the desk"
    replies: list[Reply] = []
    later.run().addCallback(replies.append)
    assert calls == ["desk"] and replies[0].status == 200 and replies[0].body == {"ok": True}


def test_a_desk_that_does_not_answer_is_a_503_after_the_timeout() -> None:
    clock = task.Clock()
    ref = DeskRef(clock, desk=object(), timeout_s=30)  # type: ignore[arg-type]
    waiting: defer.Deferred[Any] = defer.Deferred()
    errors: list[Any] = []
    ref.later(lambda desk: waiting, lambda result: Reply(200, result)).run().addErrback(errors.append)
    clock.advance(29)
    assert not errors
    clock.advance(2)
    error = errors[0].value
    assert isinstance(error, ApiError) and error.code == "telephony-timeout" and STATUSES.status_of(error) == 503


def test_without_telephony_the_handler_refuses_at_once() -> None:
    with pytest.raises(ApiError) as refused:
        DeskRef(task.Clock()).later(lambda desk: None, lambda result: Reply(204, None))
    assert refused.value.code == "telephony-unavailable"

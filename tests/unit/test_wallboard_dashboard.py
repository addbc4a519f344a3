"""The wallboard page's callbacks as plain functions, and the scope rule they share with the push stream: who may
see which scope, the board drawn from a snapshot with its test hooks, the actions sent to the API as the viewer
with Korean answers, and every refusal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import pytest
from dash import no_update
from dash.development.base_component import Component

from dashboard.ports import Viewer
from dashboard.server import Forbidden
from dashboard.supervisor_ports import AbandonedCall
from dashboard.wallboard import abandoned_view, action_view, render_view, scope_of
from dashboard.wallboard_scope import Refused, grant
from telephony.board import Board
from telephony.board.wallboard import snapshot
from telephony.cti.bus import CtiBus, CtiKind

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
SUP = Viewer(3, "sup", "관리자", "supervisor", "ACRC110")
ROOT = Viewer(7, "root", "시스템", "admin", "ACRC110")
KIM = Viewer(1, "kim", "상담사", "agent", "ACRC110")
MOUNT = "/dashboard"
INSTITUTIONS = {"ACRC110": "국민권익위원회", "NTS126": "국세청", "NTS127": "국세청"}


class Data:
    def __init__(self, status: int = 200, answer: dict[str, Any] | None = None) -> None:
        self.calls: list[tuple[str, str, str, Any]] = []
        self.asked: list[frozenset[str] | None] = []
        self.status, self.answer = status, answer or {}

    def institutions(self) -> Mapping[str, str]:
        return INSTITUTIONS

    def abandoned_today(self, centers: frozenset[str] | None, limit: int = 200) -> list[AbandonedCall]:
        self.asked.append(centers)
        return [AbandonedCall(5, NOW, "ACRC110", "general", "010-****-5678", 42.0, False)]

    def act(self, token: str, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append((token, method, path, body))
        return self.status, self.answer


def last(data: Data) -> Any:
    return data.calls[-1]


def text(component: Any) -> str:
    return json.dumps(component, cls=_Encoder, ensure_ascii=False)


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Component):
            return o.to_plotly_json()  # type: ignore[no-untyped-call]
        return super().default(o)


def test_scope_rule() -> None:
    assert grant(SUP, "center:ACRC110", INSTITUTIONS).centers == frozenset({"ACRC110"})
    for scope, code in (("center:NTS126", "other-center"), ("all", "admin-only"), ("institution:국세청", "admin-only")):
        with pytest.raises(Refused) as refused:
            grant(SUP, scope, INSTITUTIONS)
        assert (refused.value.status, refused.value.code) == (403, code)
        assert refused.value.message  # says why, in Korean
    assert grant(ROOT, "institution:국세청", INSTITUTIONS).centers == frozenset({"NTS126", "NTS127"})
    assert grant(ROOT, "all", INSTITUTIONS).centers is None
    with pytest.raises(Refused, match="상황판"):
        grant(KIM, "center:ACRC110", INSTITUTIONS)
    with pytest.raises(Refused) as unknown:
        grant(ROOT, "center:XYZ1", INSTITUTIONS)
    assert unknown.value.status == 404
    with pytest.raises(Refused) as nobody:
        grant(None, "center:ACRC110", INSTITUTIONS)
    assert nobody.value.status == 401


def test_scope_of_a_page_path() -> None:
    assert scope_of("/dashboard/wallboard/ACRC110", MOUNT) == "center:ACRC110"
    assert scope_of("/dashboard/wallboard/all", MOUNT) == "all"
    assert scope_of("/dashboard/wallboard/institution/%EA%B5%AD%EC%84%B8%EC%B2%AD", MOUNT) == "institution:국세청"
    assert scope_of("/dashboard/wallboard/", MOUNT) == "none"


def board_snapshot() -> dict[str, Any]:
    bus = CtiBus(lambda: NOW, strict=True)
    board = Board(lambda: NOW, [("ACRC110", "general")])
    bus.subscribe(board.apply)
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", None, 1, state="not-ready", reason="meal")
    bus.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=4, longest_wait_s=90.0)
    return snapshot("center:ACRC110", [board.center("ACRC110")], NOW, logins={1: "kim"})


def test_render_draws_the_snapshot_with_its_hooks() -> None:
    body, abandons = render_view(SUP, "/dashboard/wallboard/ACRC110", board_snapshot(), MOUNT, Data())
    drawn = text(body)
    assert '"data-testid": "kpi-waiting"' in drawn and '"children": "4"' in drawn
    assert '"data-login": "kim"' in drawn and "이석 (식사)" in drawn
    assert '"data-testid": "alert"' in drawn and "최장 대기 01:30" in drawn
    for hook in ("queue-row", "kpi-service-level", "kpi-asa", "kpi-abandon-rate"):
        assert f'"data-testid": "{hook}"' in drawn
    assert abandons == 0
    _, unchanged = render_view(SUP, "/dashboard/wallboard/ACRC110", board_snapshot(), MOUNT, Data(), 0)
    assert unchanged is no_update, "the abandoned list is read again only when the count changed"


def test_render_refuses_another_centers_page_and_a_snapshot_of_another_scope() -> None:
    with pytest.raises(Forbidden):
        render_view(SUP, "/dashboard/wallboard/NTS126", {**board_snapshot(), "scope": "center:NTS126"}, MOUNT, Data())
    with pytest.raises(Forbidden):
        render_view(SUP, "/dashboard/wallboard/ACRC110", {**board_snapshot(), "scope": "all"}, MOUNT, Data())
    with pytest.raises(Forbidden):
        render_view(KIM, "/dashboard/wallboard/ACRC110", board_snapshot(), MOUNT, Data())
    body, _ = render_view(ROOT, "/dashboard/wallboard/NTS126", None, MOUNT, Data())
    assert "실시간 연결 중" in text(body)


def test_abandoned_list_asks_for_the_scope_only_and_shows_masked_numbers() -> None:
    data = Data()
    drawn = text(abandoned_view(SUP, "/dashboard/wallboard/ACRC110", MOUNT, data))
    assert data.asked == [frozenset({"ACRC110"})]
    assert "010-****-5678" in drawn and '"data-testid": "callback-button"' in drawn
    with pytest.raises(Forbidden):
        abandoned_view(SUP, "/dashboard/wallboard/all", MOUNT, data)


def test_actions_go_to_the_api_as_the_viewer_and_answer_in_korean() -> None:
    data = Data()
    path = "/dashboard/wallboard/ACRC110"
    done = text(action_view(SUP, path, MOUNT, data, "tok", "wb-act-state", "kim", "not-ready", "코칭", None, None))
    assert last(data) == ("tok", "PUT", "/api/v1/telephony/supervisor/agents/kim/state",
                              {"state": "not-ready", "reason": "코칭"})  # fmt: skip
    assert "kim 상태를 이석(으)로 바꿨습니다." in done
    action_view(SUP, path, MOUNT, data, "tok", "wb-act-skills", "kim", None, None, "general:1, tax:2", None)
    assert last(data)[3] == {"skills": {"general": 1, "tax": 2}, "reason": None}
    action_view(SUP, path, MOUNT, data, "tok", "wb-act-message", "kim", None, None, None, "회의 10분 전")
    assert last(data)[2:] == ("/api/v1/telephony/supervisor/agents/kim/messages", {"text": "회의 10분 전"})
    action_view(SUP, path, MOUNT, data, "tok", {"type": "wb-callback", "call": 5}, None, None, None, None, None)
    assert last(data)[2:] == ("/api/v1/telephony/supervisor/callbacks", {"call_record_id": 5})
    asked = len(data.calls)
    missing = text(action_view(SUP, path, MOUNT, data, "tok", "wb-act-state", "kim", "ready", "", None, None))
    assert "사유" in missing and len(data.calls) == asked, "nothing sent without a reason"


def test_an_api_refusal_is_shown_with_its_reason() -> None:
    data = Data(403, {"error": "other-center", "message": "agent choi belongs to center NTS126"})
    shown = text(action_view(SUP, "/dashboard/wallboard/ACRC110", MOUNT, data, "tok", "wb-act-state", "choi",
                             "ready", "복귀", None, None))  # fmt: skip
    assert "거부됨: 다른 센터의 상담사나 호에는 조치할 수 없습니다." in shown and '"data-code": "other-center"' in shown
    with pytest.raises(Forbidden):
        action_view(SUP, "/dashboard/wallboard/NTS126", MOUNT, data, "tok", "wb-act-state", "choi", "ready", "x",
                    None, None)  # fmt: skip


def test_the_thresholds_come_from_the_configuration() -> None:
    from pydantic import ValidationError

    from sori.config import DashboardConfig
    from sori.wallboard_settings import wallboard_settings

    config = DashboardConfig(wallboard_sl_thresholds_s={"ACRC110/general": 30}, wallboard_wait_limit_s=45)
    settings = wallboard_settings(config)
    assert (settings.threshold("ACRC110", "general"), settings.threshold("NTS126", "general")) == (30, 20)
    assert settings.wait_limit_s == 45 and settings.state_limits_s["not-ready"] == 900.0
    assert wallboard_settings(config, 30).threshold("NTS126", "general") == 30  # telephony.service_level_s
    with pytest.raises(ValidationError, match="use one of"):
        DashboardConfig(wallboard_sl_thresholds_s={"tax": 25})
    from sori.config import TelephonyConfig

    with pytest.raises(ValidationError, match="use one of"):
        TelephonyConfig(service_level_s=25)

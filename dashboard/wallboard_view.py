"""The wallboard's drawing: a snapshot (``telephony.board.wallboard.snapshot``, pushed by the stream) as Dash
components, with the stable test hooks (``data-testid``) and Korean labels. Plain functions of their inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dash import html

from dashboard.supervisor_ports import AbandonedCall
from kernel.calendar import SEOUL
from telephony.board.wallboard import REASON_LABELS, clock_text


def tid(name: str, **more: str) -> Any:
    """``data-testid`` (and ``data-*``) attributes for a Dash component (typed Any: Dash's stubs list no data-*)."""
    return {"data-testid": name, **{f"data-{k}": v for k, v in more.items()}}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}초"


def _reasons(by_reason: dict[str, int]) -> str:
    return ", ".join(f"{REASON_LABELS.get(r, r)} {n}" for r, n in by_reason.items()) or ""


def kpis(totals: dict[str, Any]) -> html.Div:
    sl = totals["service_level"]

    def card(label: str, value: str, testid: str, note: str = "") -> html.Div:
        return html.Div([html.Div(label, className="label"), html.Div(value, className="value", **tid(testid)),
                         html.Div(note, className="note")], className="kpi")  # fmt: skip

    a = totals["agents"]
    return html.Div([
        card("대기 호", str(totals["waiting"]), "kpi-waiting", f"최장 {clock_text(totals['longest_wait_s'])}"),
        card(f"서비스 수준 ({totals['threshold_s']}초)", pct(sl["short-excluded"]), "kpi-service-level",
             f"응답 기준 {pct(sl['answered'])} · 포기 포함 {pct(sl['abandons-against'])}"),
        card("평균 응답 시간(ASA)", secs(totals["asa_s"]), "kpi-asa", f"평균 처리 {secs(totals['aht_s'])}"),
        card("포기율", pct(totals["abandon_rate"]), "kpi-abandon-rate",
             f"인입 {totals['offered']} · 응답 {totals['answered']} · 포기 {totals['abandoned']}"),
        card("상담사", f"대기 {a['ready']} · 통화 {a['on-call']}", "kpi-agents",
             f"후처리 {a['wrap-up']} · 이석 {a['not-ready']}"),
        card("콜백", f"{totals['callbacks']['due']}건", "kpi-callbacks", f"지연 {totals['callbacks']['overdue']}건"),
    ], className="kpis")  # fmt: skip


QUEUE_HEADERS = ("센터", "큐", "대기", "최장 대기", "대기 상담사", "통화", "후처리", "이석(사유)", "서비스 수준",
                 "응답 기준", "포기 포함", "ASA", "AHT", "포기율", "콜백 예정/지연", "넘침 받음/보냄")  # fmt: skip


def queue_table(queues: list[dict[str, Any]]) -> html.Table:
    rows = []
    for q in queues:
        sl, a = q["service_level"], q["agents"]
        cells = [
            q["center"],
            q["skill"],
            q["waiting"],
            clock_text(q["longest_wait_s"]),
            a["ready"],
            a["on-call"],
            a["wrap-up"],
            f"{a['not-ready']} {_reasons(a['not_ready_by_reason'])}".strip(),
            f"{pct(sl['short-excluded'])} ({q['threshold_s']}초)",
            pct(sl["answered"]),
            pct(sl["abandons-against"]),
            secs(q["asa_s"]),
            secs(q["aht_s"]),
            pct(q["abandon_rate"]),
            f"{q['callbacks']['due']}/{q['callbacks']['overdue']}",
            f"{q['overflow_in']}/{q['overflow_out']}",
        ]
        rows.append(html.Tr([html.Td(str(c)) for c in cells], **tid("queue-row", center=q["center"],
                                                                      skill=q["skill"])))  # fmt: skip
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in QUEUE_HEADERS])), html.Tbody(rows)],
                      className="grid")  # fmt: skip


AGENT_HEADERS = ("상담사", "센터", "상태", "상태 시간", "처리 건수", "AHT", "통화", "보류", "대기(유휴)")


def agent_table(agents: list[dict[str, Any]]) -> html.Table:
    rows = []
    for a in agents:
        cells = [
            a["login"],
            a["center"],
            a["state_text"],
            clock_text(a["in_state_s"]),
            a["handled"],
            secs(a["aht_s"]),
            clock_text(a["talk_s"]),
            clock_text(a["hold_s"]),
            clock_text(a["idle_s"]),
        ]
        rows.append(html.Tr([html.Td(str(c)) for c in cells], className="too-long" if a["too_long"] else "",
                            **tid("agent-row", login=a["login"], state=a["state"])))  # fmt: skip
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in AGENT_HEADERS])), html.Tbody(rows)],
                      className="grid")  # fmt: skip


def alert_list(alerts: list[dict[str, Any]]) -> html.Div:
    if not alerts:
        return html.Div(html.P("경보 없음", className="calm"), id="wb-alerts-inner")
    return html.Div([html.Div(a["message"], role="alert", className=f"alert {a['level']}",
                              **tid("alert", kind=a["kind"])) for a in alerts], id="wb-alerts-inner")  # fmt: skip


def board(snapshot: dict[str, Any], title: str) -> list[Any]:
    at = dt.datetime.fromisoformat(str(snapshot["at"])).astimezone(SEOUL).strftime("%H:%M:%S")
    return [
        html.P(
            [html.Strong(title), f" · 기준 시각 {at} · 오늘 누계 (서비스 수준: 짧은 포기 제외 기준)"],
            className="summary",
        ),
        html.Section([html.H2("경보"), alert_list(snapshot["alerts"])], id="wb-alerts"),
        kpis(snapshot["totals"]),
        html.Section([html.H2("큐"), queue_table(snapshot["queues"])], id="wb-queues"),
        html.Section(
            [
                html.H2("상담사" if snapshot.get("every_agent", True) else "상담사 (경보 대상만 표시)"),
                agent_table(snapshot["agents"]),
            ],
            id="wb-agents",
        ),
    ]


def abandoned_table(calls: list[AbandonedCall]) -> Any:
    if not calls:
        return html.P("오늘 포기 호가 없습니다.")
    rows = []
    for c in calls:
        button: Any = (html.Span("콜백 요청됨") if c.callback_requested else
                       html.Button("콜백", id={"type": "wb-callback", "call": c.call_record_id}, n_clicks=0,
                                   **tid("callback-button", call=str(c.call_record_id))))  # fmt: skip
        at = c.enqueued_at.astimezone(SEOUL).strftime("%H:%M:%S")
        cells = [at, c.center, c.skill, c.caller_masked or "발신번호 없음", clock_text(round(c.wait_s))]
        rows.append(html.Tr([*(html.Td(x) for x in cells), html.Td(button)], **tid("abandoned-row")))
    heads = ("시각", "센터", "큐", "번호(마스킹)", "대기", "")
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)], className="grid")

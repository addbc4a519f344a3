"""The supervisors' history and staffing filters as the server reads them: who may see which centers (``Scope``),
the period and its limits per granularity, and the service-level threshold, each refusal a Korean message.

A Dash callback is a plain HTTP POST whose inputs anyone can forge, so every value is checked here against the
viewer, never trusted because the page only offered allowed choices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm.door.tally import WAIT_EDGES_S
from dashboard.supervisor_ports import Granularity, GroupBy, HistoryQuery, Scope
from kernel.accounts import Viewer

DEFAULT_THRESHOLD_S = 20
#: The longest period each granularity may cover: a finer cut over a longer period is refused, not truncated.
MAX_DAYS = {
    Granularity.MIN15: 31,
    Granularity.MIN30: 62,
    Granularity.MIN60: 92,
    Granularity.DAY: 366,
    Granularity.WEEK: 2 * 366,
    Granularity.MONTH: 5 * 366,
}
GRANULARITY_NAMES = {
    Granularity.MIN15: "15분",
    Granularity.MIN30: "30분",
    Granularity.MIN60: "1시간",
    Granularity.DAY: "일",
    Granularity.WEEK: "주",
    Granularity.MONTH: "월",
}
GROUP_NAMES = {GroupBy.QUEUE: "대기열", GroupBy.CENTER: "콜센터", GroupBy.AGENT: "상담사", GroupBy.GROUP: "기관"}
MAX_TEXT = 64  # a queue skill or an agent login longer than this is not one


class Refused(ValueError):
    """Filters the server will not run for this viewer; the message is Korean and shown in place of the data."""


def scope_of(viewer: Viewer) -> Scope:
    """Admins see every center; a supervisor their own center only."""
    if viewer.role == "admin":
        return Scope(None)
    return Scope(frozenset({viewer.center}))


def chosen_centers(viewer: Viewer, centers: object) -> frozenset[str] | None:
    """The centers the filter names, each within the viewer's scope (``None``: all the viewer may see).

    A supervisor's empty choice means their own center; a center outside the scope is refused, not dropped."""
    scope = scope_of(viewer)
    names = [c for c in centers.replace(",", " ").split() if c] if isinstance(centers, str) else centers
    if names in (None, []):
        return scope.centers
    if not isinstance(names, list) or not all(isinstance(c, str) and 0 < len(c) <= MAX_TEXT for c in names):
        raise Refused("콜센터 선택이 올바르지 않습니다.")
    outside = sorted(c for c in names if not scope.allows(c))
    if outside:
        raise Refused(f"권한 밖의 콜센터입니다: {', '.join(outside)}. 소속 콜센터의 자료만 볼 수 있습니다.")
    return frozenset(names)


def parse_day(value: object, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Refused(f"{what}을 YYYY-MM-DD 형식으로 고르세요.") from None


def parse_threshold(value: object) -> int:
    try:
        threshold = int(str(value))
    except ValueError:
        raise Refused("서비스 레벨 기준 시간을 고르세요.") from None
    if threshold not in WAIT_EDGES_S:
        raise Refused(f"서비스 레벨 기준 시간은 {', '.join(map(str, WAIT_EDGES_S))}초 중 하나입니다.")
    return threshold


def _text(value: object, what: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise Refused(f"{what} 값이 올바르지 않습니다.")
    return value.strip() or None


@dataclass(frozen=True)
class Filters:
    """What the history page's controls hold, as the browser sent them (unchecked)."""

    start: object = None
    end: object = None
    granularity: object = Granularity.DAY.value
    group_by: object = GroupBy.QUEUE.value
    centers: object = None
    skill: object = None
    agent: object = None
    threshold: object = DEFAULT_THRESHOLD_S


def parse_filters(viewer: Viewer, filters: Filters) -> tuple[HistoryQuery, int]:
    """The query (within the viewer's scope) and the service-level threshold; raises ``Refused``."""
    first, last = parse_day(filters.start, "시작일"), parse_day(filters.end, "종료일")
    if last < first:
        raise Refused("종료일이 시작일보다 앞섭니다.")
    try:
        granularity = Granularity(str(filters.granularity))
        group_by = GroupBy(str(filters.group_by))
    except ValueError:
        raise Refused("집계 단위와 구분을 목록에서 고르세요.") from None
    days = (last - first).days + 1
    if days > MAX_DAYS[granularity]:
        raise Refused(f"{GRANULARITY_NAMES[granularity]} 단위는 최대 {MAX_DAYS[granularity]}일까지 조회할 수 있습니다 "
                      f"(선택한 기간 {days}일). 기간을 줄이거나 더 큰 단위를 고르세요.")  # fmt: skip
    query = HistoryQuery(
        start=first, end=last, granularity=granularity, group_by=group_by,
        centers=chosen_centers(viewer, filters.centers), skill=_text(filters.skill, "대기열"),
        agent=_text(filters.agent, "상담사"),
    )  # fmt: skip
    return query, parse_threshold(filters.threshold)

"""``dashboard.supervisor_ports.StaffingData`` over the case store (``crm.store.schedules``).

Interval starts come back aware in Seoul time; an import checks that the center exists and that every row is
the center's and on a 15-minute boundary before it writes anything, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine

from crm.errors import CenterNotFound
from crm.store import schedules
from dashboard.supervisor_ports import ScheduledStaff
from kernel.calendar import SEOUL
from kernel.errors import ValidationFailed


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SqlStaffingData:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def schedule(self, center: str, start: dt.date, end: dt.date) -> list[ScheduledStaff]:
        first = dt.datetime.combine(start, dt.time(), tzinfo=SEOUL)
        after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SEOUL)
        with self._engine.connect() as conn:
            rows = schedules.read_schedule(conn, center, first, after)
        return [ScheduledStaff(center, moment.astimezone(SEOUL), agents) for moment, agents in rows]

    def import_schedule(self, center: str, rows: list[ScheduledStaff], imported_by: str) -> int:
        if len({row.interval_start for row in rows}) != len(rows):
            raise ValidationFailed("같은 구간이 두 번 들어 있습니다")
        for row in rows:
            if row.center != center:
                raise ValidationFailed(f"{row.center} 센터의 행은 {center} 센터의 일정에 넣을 수 없습니다")
            if row.interval_start.tzinfo is None:
                raise ValidationFailed("구간 시작 시각에 시간대가 없습니다")
            local = row.interval_start.astimezone(SEOUL)
            if local.minute % 15 or local.second or local.microsecond:
                raise ValidationFailed(f"{local:%Y-%m-%d %H:%M}은 15분 단위 구간의 시작이 아닙니다")
            if row.agents < 0:
                raise ValidationFailed("상담사 수는 0 이상이어야 합니다")
        with self._engine.begin() as conn:
            if not schedules.center_exists(conn, center):
                raise CenterNotFound(f"센터 {center}가 없습니다", center=center)
            return schedules.replace_schedule(
                conn, center, [(row.interval_start, row.agents) for row in rows], imported_by, self._clock()
            )

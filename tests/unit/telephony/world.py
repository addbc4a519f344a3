"""A small world of centers, queues and a clock for the ACD tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TypeVar

from kernel.calendar import SEOUL, WorkCalendar
from kernel.centers import Center
from telephony.acd import Acd, AcdSettings, Event, QueueConfig, QueueKey

UTC = dt.UTC
#: Tuesday 2026-03-10 10:00 in Seoul: a plain working day, every center open.
T0 = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SEOUL).astimezone(UTC)

TAX = QueueKey("NTS126", "tax")
SEOUL_GENERAL = QueueKey("SEOUL120", "general")
SEOUL_TRANSPORT = QueueKey("SEOUL120", "transport")
GG_GENERAL = QueueKey("GYEONGGI120", "general")
INCHEON_GENERAL = QueueKey("INCHEON120", "general")

CENTERS = (
    Center("NTS126", "국세상담센터", "국세청", "126", hours="mon-fri 09:00-18:00"),
    Center(
        "SEOUL120", "120다산콜재단", "서울특별시", "120", hours="24/7", overflow_partners=["GYEONGGI120", "INCHEON120"]
    ),
    Center("GYEONGGI120", "경기도콜센터", "경기도", "120", hours="24/7", overflow_partners=["SEOUL120"]),
    Center(
        "INCHEON120", "미추홀콜센터", "인천광역시", "120", hours="mon-fri 08:00-20:00", overflow_partners=["SEOUL120"]
    ),
)

T = TypeVar("T")


def at(seconds: float, start: dt.datetime = T0) -> dt.datetime:
    return start + dt.timedelta(seconds=seconds)


def kst(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL).astimezone(UTC)


def default_queues() -> list[QueueConfig]:
    return [QueueConfig(key) for key in (TAX, SEOUL_GENERAL, SEOUL_TRANSPORT, GG_GENERAL, INCHEON_GENERAL)]


def make_acd(queues: Iterable[QueueConfig] | None = None, settings: AcdSettings | None = None) -> Acd:
    return Acd(CENTERS, default_queues() if queues is None else queues, WorkCalendar(), settings)


def ready(acd: Acd, agent_id: str, center: str, skills: Mapping[str, int], now: dt.datetime) -> list[Event]:
    """Log an agent in and make them ready."""
    return acd.agent_login(agent_id, center, skills, now) + acd.agent_ready(agent_id, now)


def only(events: Iterable[Event], kind: type[T]) -> list[T]:
    return [e for e in events if isinstance(e, kind)]

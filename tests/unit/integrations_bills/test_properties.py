"""Properties over any notice, payments and day: the amount due is never below the unpaid principal nor above
the principal plus the family's cap; the late charge never shrinks as days pass; the status agrees with it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.bills.model import KINDS, Channel, Family, NoticeRecord, Payment, Status, VirtualAccount


class EveryDay:
    """A calendar with no weekends or holidays, so the effective due date is the printed one."""

    def is_working_day(self, day: dt.date) -> bool:
        return True


ACCOUNT = VirtualAccount("하나은행", "56326050000011", "국세청")


@st.composite
def notices(draw: st.DrawFn) -> tuple[NoticeRecord, dt.date]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    inspection = KINDS[kind].family is Family.VEHICLE_INSPECTION
    principal = 0 if inspection else draw(st.integers(0, 10**9))
    due = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
    payments = draw(
        st.lists(
            st.builds(
                Payment,
                st.integers(-60, 3_000).map(lambda days: due + dt.timedelta(days=days)),
                st.integers(1, max(1, principal // 2) + 700_000),
                st.just("가상계좌"),
            ),
            max_size=4,
        )
    )
    inspected = draw(st.none() | st.integers(-30, 400)) if inspection else None
    fulfilled = due + dt.timedelta(days=inspected) if inspected is not None else None
    record = NoticeRecord("N-1", kind, "기관", "기간", principal, due - dt.timedelta(days=20), due, ACCOUNT,
                          Channel.EMAIL, tuple(payments), fulfilled)  # fmt: skip
    today = due + dt.timedelta(days=draw(st.integers(-60, 365 * 7)))
    return record, today


@settings(max_examples=300)
@given(notices(), st.integers(0, 4_000))
def test_the_amount_due_stays_between_the_unpaid_principal_and_the_cap(
    case: tuple[NoticeRecord, dt.date], later: int
) -> None:
    record, today = case
    standing = record.as_of(today, EveryDay()).standing
    cap = record.rule.cap_won(record.principal_won, record.due)
    assert standing.amount_due_won >= standing.principal_unpaid_won
    assert 0 <= standing.surcharge_won <= cap
    assert standing.amount_due_won <= standing.principal_unpaid_won + cap
    assert standing.amount_due_won == max(0, record.principal_won + standing.surcharge_won - standing.paid_won)
    afterwards = record.as_of(today + dt.timedelta(days=later), EveryDay()).standing
    assert afterwards.surcharge_won >= standing.surcharge_won
    if standing.status is Status.PAID:
        assert standing.amount_due_won == 0
    elif standing.status is Status.OVERDUE:
        assert today > record.due and standing.days_overdue == (today - record.due).days
    else:
        assert today <= record.due and standing.surcharge_won == 0

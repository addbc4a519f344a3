"""The agent tools' routes that read a citizen's records write an access-log row, so they run in a write
transaction: on SQLite a read transaction that starts writing fails with SQLITE_BUSY as soon as another agent
writes (the bench showed it at 8 agents), however long the busy timeout."""

from __future__ import annotations

from crm.api.app import build_router
from crm.api.auth import LoginLimiter
from crm.api.deps import ApiDeps
from crm.cases.continuity import ContinuityPolicy
from kernel.calendar import WorkCalendar


def test_every_route_on_a_contacts_citizen_writes() -> None:
    router = build_router(ApiDeps(rrn_key=b"\0" * 32, policy=ContinuityPolicy(), calendar=WorkCalendar(),
                                  limiter=LoginLimiter(1, 1)))  # fmt: skip
    on_contact = [
        r
        for r in router.routes
        if r.template.startswith("/api/v1/interactions/{interaction_id}/tools/")
        and "/tools/sms/" not in r.template  # a sent text's status: reads no citizen's record
    ]
    assert len(on_contact) >= 6  # send-link, three bill routes, issue and deliveries
    assert [r.template for r in on_contact if not r.writes] == []

"""What the Open311 resource asks of the service layer, bound once to the catalog and the intake's settings.

``Operations`` is the resource's whole view of ``crm.open311``: the resource passes the unit of work, the app,
the parsed request, the time and the caller's address; everything else (catalog, routing, masker, calendar,
intake rules) is bound here, at wiring time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from crm.open311 import catalog as cat
from crm.open311 import intake, keys, reads
from crm.open311.catalog import Catalog, Service
from crm.open311.intake import IntakeRules
from crm.open311.model import App, RequestQuery, RequestView, Submission, SubmitResult, TokenState
from crm.ports import UnitOfWork
from kernel.calendar import WorkCalendar


@dataclass(frozen=True)
class Operations:
    catalog: Catalog  # with the jurisdictions of the active centers (local services route by them)
    masker: Callable[[str], str]
    calendar: WorkCalendar
    due_days: int
    rules: IntakeRules
    max_requests: int = reads.LIMIT  # open311.max_requests: the most requests one GET requests returns
    changeset: dt.datetime = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)  # when the catalog last changed
    contact: str = "국민권익위원회 국민콜110 (국번 없이 110)"
    key_service: str = "API 키는 운영자에게 신청하십시오 (sori open311 key create)."

    def list_services(self, jurisdiction_id: str | None) -> list[Service]:
        return cat.list_services(self.catalog, jurisdiction_id)

    def service_definition(self, code: str, jurisdiction_id: str | None) -> Service:
        return cat.service_definition(self.catalog, code, jurisdiction_id)

    def authenticate(self, uow: UnitOfWork, api_key: str | None) -> App | None:
        return keys.authenticate(uow, api_key)

    def submit(self, uow: UnitOfWork, app: App, sub: Submission, now: dt.datetime, remote: str) -> SubmitResult:
        return intake.submit(
            uow,
            app,
            sub,
            catalog=self.catalog,
            now=now,
            remote=remote,
            masker=self.masker,
            calendar=self.calendar,
            due_days=self.due_days,
            rules=self.rules,
        )

    def resolve_token(self, uow: UnitOfWork, app: App | None, token: str) -> TokenState:
        return reads.resolve_token(uow, app, token)

    def find_requests(
        self, uow: UnitOfWork, app: App | None, query: RequestQuery, now: dt.datetime
    ) -> list[RequestView]:
        return reads.find_requests(uow, app, query, self.catalog, now, self.max_requests)

    def get_request(self, uow: UnitOfWork, app: App | None, service_request_id: str) -> RequestView:
        return reads.get_request(uow, app, service_request_id, self.catalog)

"""The Open311 service layer on a real case store (SQLite, and PostgreSQL under the ``postgres`` marker): the
test world of tests/conftest.py (every center, the AGENTS), the catalog of its centers and two apps."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from crm.cases.complaint_text import conservative_mask
from crm.open311 import intake, keys
from crm.open311.catalog import Catalog, load_catalog
from crm.open311.intake import IntakeRules
from crm.open311.model import App, Location, Submission, SubmitResult
from sori.wiring import System

ROAD = Submission(
    service_code="ROAD-DAMAGE",
    description="세종대로 보도블록이 깨져 있습니다.\n연락처 010-1234-5678 로 알려 주세요.",
    location=Location(address_string="서울특별시 중구 세종대로 110"),
    first_name="길동",
    last_name="홍",
    email="hong@example.kr",
    phone="010-9876-5432",
    attributes={"damage_type": ("sidewalk",)},
)


@dataclass
class World:
    system: System
    catalog: Catalog
    apps: dict[str, tuple[App, str]]  # name → (app, key)

    @property
    def now(self) -> dt.datetime:
        return self.system.clock()

    def app(self, name: str = "seoul-app") -> App:
        return self.apps[name][0]

    def submit(self, sub: Submission = ROAD, app: str = "seoul-app", remote: str = "203.0.113.7",
               rules: IntakeRules | None = None, **changes: Any) -> SubmitResult:  # fmt: skip
        with self.system.uow() as uow:
            result = intake.submit(
                uow, self.app(app), dataclasses.replace(sub, **changes), catalog=self.catalog, now=self.now,
                remote=remote, masker=conservative_mask, calendar=self.system.calendar, due_days=7,
                rules=rules or IntakeRules(),
            )  # fmt: skip
            uow.commit()
        return result

    def run(self, work: Callable[[Any], Any]) -> Any:
        with self.system.uow() as uow:
            value = work(uow)
            uow.commit()
        return value


@pytest.fixture
def world(system: System) -> World:
    with system.uow() as uow:
        catalog = load_catalog(uow.centers.list(active_only=True))
        apps = {name: keys.create_app_key(uow, name, "root", system.clock()) for name in
                ("seoul-app", "other-app", "third-app", "fourth-app")}  # fmt: skip
        uow.commit()
    return World(system, catalog, apps)

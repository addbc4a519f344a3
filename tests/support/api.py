"""A running API for a test: the real service tree of ``sori up`` on a free port, and a small client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from sori.runtime import build_services
from sori.wiring import System
from tests.support import reactor as rt


@dataclass
class ApiClient:
    base: str
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return merged

    def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        return self.session.get(self.base + path, params=params, headers=self._headers(headers), timeout=30)

    def post(
        self,
        path: str,
        json: Any = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> requests.Response:
        if data is not None:
            return self.session.post(self.base + path, data=data, headers=self._headers(headers), timeout=30)
        return self.session.post(self.base + path, json=json, headers=self._headers(headers), timeout=30)

    def patch(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> requests.Response:
        return self.session.patch(self.base + path, json=json, headers=self._headers(headers), timeout=30)

    def login(self, login: str, password: str) -> ApiClient:
        response = self.post("/api/v1/auth/login", {"login": login, "password": password})
        assert response.status_code == 200, response.text
        return ApiClient(self.base, response.json()["token"])


class RunningApi:
    def __init__(self, system: System) -> None:
        self.system = system
        self.root = build_services(system, rt.reactor)
        rt.call(self.root.startService)
        port = rt.call(lambda: self.root.getServiceNamed("http")._port.getHost().port)
        self.base = f"http://127.0.0.1:{port}"

    def client(self) -> ApiClient:
        return ApiClient(self.base)

    def stop(self) -> None:
        rt.call(self.root.stopService)

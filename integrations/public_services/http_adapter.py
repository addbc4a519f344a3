"""The HTTP adapter of ``PublicServiceDirectory``: the 보조금24 / 정부24 API as
``docs/integrations/public-services.openapi.json`` states it, through the shared ``JsonClient`` (timeouts,
retries of reads, a circuit breaker). Blocking: it runs on the control process's tool thread pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import ValidationError

from integrations.http_client import JsonClient, Rejection
from integrations.public_services import wire
from integrations.public_services.eligibility import Applicant, Decision
from integrations.public_services.port import PublicServicesUnavailable, SearchResults, ServiceDetail
from integrations.settings import ToolConfig
from kernel.errors import ValidationFailed

T = TypeVar("T")
SYSTEM = "공공서비스 정보 시스템(보조금24)"


class HttpDirectory:
    def __init__(self, base_url: str, api_key: str, config: ToolConfig) -> None:
        self.client = JsonClient(base_url, api_key, config, system=SYSTEM, unavailable=PublicServicesUnavailable)

    def search(
        self,
        query: str,
        *,
        agency: str | None = None,
        support_form: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        params: dict[str, str | int] = {"q": query, "limit": limit, "offset": offset}
        if agency:
            params["agency"] = agency
        if support_form:
            params["support_form"] = support_form
        try:
            body = self.client.get("/v1/services", params)
        except Rejection as rejected:
            raise _refused(rejected) from None
        return self._read(wire.results_in, body)

    def service(self, service_id: str) -> ServiceDetail | None:
        try:
            body = self.client.get(f"/v1/services/{quote(service_id, safe='')}")
        except Rejection as rejected:
            if rejected.code == "service-not-found":
                return None
            raise _refused(rejected) from None
        return self._read(wire.service_in, body)

    def eligibility(self, service_id: str, applicant: Applicant) -> Decision | None:
        path = f"/v1/services/{quote(service_id, safe='')}/eligibility"
        try:
            body = self.client.post(path, wire.applicant_out(applicant))
        except Rejection as rejected:
            if rejected.code == "service-not-found":
                return None
            raise _refused(rejected) from None
        return self._read(wire.decision_in, body)

    def _read(self, parse: Callable[[Any], T], body: Any) -> T:
        try:
            return parse(body)
        except (ValidationError, TypeError, ValueError, KeyError):
            raise self.client.failure("protocol") from None


def _refused(rejected: Rejection) -> Exception:
    """The system refused the request as malformed: our input was wrong (422), said in its words."""
    if rejected.status in (400, 422):
        return ValidationFailed(
            rejected.message or "the public-service system refused the request", remote_error=rejected.code
        )
    return PublicServicesUnavailable(
        f"{SYSTEM}이(가) 요청을 거절했습니다 ({rejected.code}).", reason="protocol", status=rejected.status
    )

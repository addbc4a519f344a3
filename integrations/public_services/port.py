"""The port: what Sori asks of the public-service system (보조금24 / 정부24), the answers' shapes and its error
(pure). Adapters: ``local.CatalogDirectory`` (in process, over the shipped catalog) and
``http_adapter.HttpDirectory`` (the documented HTTP API, ``docs/integrations/public-services.openapi.json``).

Search and eligibility need no citizen: many callers stay anonymous, and the eligibility answer is a function
of the service's record and the attributes the agent entered, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from integrations.errors import ServiceUnavailable
from integrations.public_services.eligibility import Applicant, Decision
from kernel.errors import NotFound

MAX_QUERY = 200
MAX_PAGE = 50
# A query as the APIs' documents state it: 1-200 characters, at least one that is neither white space (as
# JSON Schema's \s and Python's str.strip() see it) nor U+FEFF, and no U+0000. What a server refuses as blank
# is exactly what this pattern refuses, so the documents say what the servers enforce.
QUERY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_QUERY,
    "pattern": "^[^\\u0000]*[^\\s\\x1c-\\x1f\\x85\\ufeff\\u0000][^\\u0000]*$",
}
BLANK = "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) + "\ufeff"  # str.strip()'s, and U+FEFF


@dataclass(frozen=True)
class ServiceSummary:
    """One hit of a search, as a result list shows it."""

    id: str
    name: str
    agency: str | None
    support_form: str | None
    field: str | None
    purpose: str | None
    url: str | None


@dataclass(frozen=True)
class ServiceDetail:
    """Everything the catalog publishes about one service (agencies' phone numbers are public)."""

    id: str
    name: str
    agency: str | None
    department: str | None
    field: str | None
    support_form: str | None
    user_type: str | None
    purpose: str | None
    target: str | None
    criteria: str | None
    content: str | None
    apply: str | None
    apply_detail: str | None
    deadline: str | None
    url: str | None
    phone: str | None
    updated_at: str | None


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    offset: int
    items: tuple[ServiceSummary, ...]


class PublicServicesUnavailable(ServiceUnavailable):
    """The public-service system could not answer (``reason``: timeout, connection-failed, circuit-open …)."""

    code = "public-services-unavailable"


class ServiceNotFound(NotFound):
    code = "service-not-found"

    def __init__(self, service_id: str) -> None:
        super().__init__("해당 서비스ID의 공공서비스가 없습니다.", service_id=service_id)


class PublicServiceDirectory(Protocol):
    def search(self, query: str, *, agency: str | None = None, support_form: str | None = None, limit: int = 10,
               offset: int = 0) -> SearchResults:  # fmt: skip
        """Services matching ``query`` (Korean, 1-200 characters) best first; ``ValidationFailed`` for a blank
        or too long query or a bad page; ``PublicServicesUnavailable`` when the system cannot answer."""
        ...

    def service(self, service_id: str) -> ServiceDetail | None:
        """One service by its 서비스ID; None when there is none."""
        ...

    def eligibility(self, service_id: str, applicant: Applicant) -> Decision | None:
        """Whether ``applicant`` may receive the service, per condition, with reasons; None for no such service."""
        ...

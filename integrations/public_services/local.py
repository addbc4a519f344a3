"""The public-service directory in process: the shipped catalog, its Korean search and the eligibility rules.

It is the in-memory adapter of ``PublicServiceDirectory`` (tests, the IVR without a network) and the heart of
the reference service, which serves exactly this over HTTP. Building it loads the catalog and its search index
once (about a second); share one instance.
"""

from __future__ import annotations

from integrations.public_services.catalog import Catalog, PublicService, load_catalog
from integrations.public_services.eligibility import Applicant, Decision, decide
from integrations.public_services.port import (
    BLANK,
    MAX_PAGE,
    MAX_QUERY,
    SearchResults,
    ServiceDetail,
    ServiceSummary,
)
from integrations.public_services.search import ServiceSearch
from kernel.errors import ValidationFailed


def summary(service: PublicService) -> ServiceSummary:
    return ServiceSummary(
        id=service.id,
        name=service.name,
        agency=service.agency,
        support_form=service.support_form,
        field=service.field,
        purpose=service.purpose,
        url=service.url,
    )


def detail(service: PublicService) -> ServiceDetail:
    return ServiceDetail(
        id=service.id,
        name=service.name,
        agency=service.agency,
        department=service.department,
        field=service.field,
        support_form=service.support_form,
        user_type=service.user_type,
        purpose=service.purpose,
        target=service.target,
        criteria=service.criteria,
        content=service.content,
        apply=service.apply,
        apply_detail=service.apply_detail,
        deadline=service.deadline,
        url=service.url,
        phone=service.phone,
        updated_at=service.updated_at,
    )


class CatalogDirectory:
    """``PublicServiceDirectory`` over a catalog (the shipped one unless given)."""

    def __init__(self, catalog: Catalog | None = None, search: ServiceSearch | None = None) -> None:
        self.catalog = catalog if catalog is not None else load_catalog()
        self.index = search if search is not None else ServiceSearch(self.catalog)

    def search(
        self,
        query: str,
        *,
        agency: str | None = None,
        support_form: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        text = query.strip(BLANK)
        if not text:
            raise ValidationFailed("the query is empty", parameter="q")
        if len(query) > MAX_QUERY:
            raise ValidationFailed(f"the query is longer than {MAX_QUERY} characters", parameter="q")
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}", parameter="limit")
        if offset < 0:
            raise ValidationFailed("offset must not be negative", parameter="offset")
        page = self.index.search(
            text, agency=agency or None, support_form=support_form or None, limit=limit, offset=offset
        )
        items = tuple(summary(self.catalog[hit.service_id]) for hit in page.hits)
        return SearchResults(query=text, total=page.total, offset=offset, items=items)

    def service(self, service_id: str) -> ServiceDetail | None:
        found = self.catalog.get(service_id)
        return detail(found) if found is not None else None

    def eligibility(self, service_id: str, applicant: Applicant) -> Decision | None:
        found = self.catalog.get(service_id)
        return decide(found, applicant) if found is not None else None

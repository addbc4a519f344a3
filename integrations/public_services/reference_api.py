"""The reference 보조금24 / 정부24 public-service API (``docs/integrations/public-services.openapi.json``).

Played by ``sori refsvc`` at ``/public-services`` over the shipped catalog: search, one service, and the
eligibility decision. The HTTP adapter (``http_adapter``) speaks exactly this, and so would a real endpoint
put in its place (``docs/integrations.md``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from integrations.public_services import wire
from integrations.public_services.local import CatalogDirectory
from integrations.public_services.port import ServiceNotFound
from integrations.refsvc.system import Options, PlayedSystem
from kernel.http.kit import ApiRequest, Reply, Router

PREFIX = "/public-services"
SERVICE_ID = {"type": "string", "pattern": "^[A-Za-z0-9]{1,24}$", "description": "서비스ID (보조금24 / 정부24)"}
STATUS = {
    "service-not-found": 404,
    "invalid-applicant": 422,
    "invalid-region": 422,
    "unauthorized": 401,
}  # beside the kernel's (validation-failed …)


def ready(directory: CatalogDirectory | None) -> CatalogDirectory:
    if directory is None:
        raise AssertionError("routes built for the document only were asked to serve")
    return directory


def router(directory: CatalogDirectory | None) -> Router:
    """The routes (``directory`` None: for the document only; a request then is a defect)."""
    routes = Router(path_params={"service_id": SERVICE_ID})

    def search(req: ApiRequest[Any], _: Any) -> Reply:
        return Reply(200, wire.results_out(wire.SearchArgs.of(req).run(ready(directory))))

    routes.route(
        "GET",
        "/v1/services",
        summary="Search public services in Korean (best first)",
        tag="services",
        roles=None,
        responses={200: wire.SearchOut},
        writes=False,
        query=wire.search_params(),
    )(search)

    def one(req: ApiRequest[Any], _: Any) -> Reply:
        service_id = req.params["service_id"]
        found = ready(directory).service(service_id)
        if found is None:
            raise ServiceNotFound(service_id)
        return Reply(200, wire.service_out(found))

    routes.route(
        "GET",
        "/v1/services/{service_id}",
        summary="One public service, as the catalog publishes it",
        tag="services",
        roles=None,
        responses={200: wire.ServiceOut},
        errors=(404,),
        writes=False,
    )(one)

    def eligibility(req: ApiRequest[wire.ApplicantIn], _: Any) -> Reply:
        service_id = req.params["service_id"]
        decision = ready(directory).eligibility(service_id, wire.applicant(req.body))
        if decision is None:
            raise ServiceNotFound(service_id)
        return Reply(200, wire.decision_out(service_id, decision))

    routes.route(
        "POST",
        "/v1/services/{service_id}/eligibility",
        summary="Whether someone with the given attributes may receive the service: yes / no / unknown per "
        "condition with the reason (자격확인: answers only from what is sent)",
        tag="eligibility",
        roles=None,
        body=wire.ApplicantIn,
        responses={200: wire.DecisionOut},
        errors=(404,),
        idempotent_post=False,
        writes=False,
    )(eligibility)
    return routes


def _state(store: sqlite3.Connection, options: Options) -> CatalogDirectory:
    return CatalogDirectory()  # the catalog is read-only: nothing of it is kept in the store


SYSTEM = PlayedSystem(
    name="public-services",
    prefix=PREFIX,
    title="공공서비스 정보 (보조금24 / 정부24) — reference API",
    description="Search the national catalog of public services in Korean, read one service, and decide "
    "eligibility per condition from the attributes sent (nothing about the person is stored).",
    statuses=STATUS,
    routes=router,
    state=_state,
)

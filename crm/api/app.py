"""Assembles the API: router with every route, its OpenAPI document, and the twisted.web site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from twisted.internet.interfaces import IReactorFromThreads
from twisted.python.threadpool import ThreadPool
from twisted.web import server

from crm.api import (
    routes_bills,
    routes_cases,
    routes_certificates,
    routes_citizens,
    routes_complaints,
    routes_core,
    routes_identity,
    routes_phones,
    routes_screen_pop,
    routes_security,
    routes_tools,
    routes_verify,
    routes_wrap_up_codes,
)
from crm.api.deps import ApiDeps
from crm.api.fields import PATH_PARAMS
from crm.api.open311 import openapi as open311_openapi
from crm.api.open311 import routes_admin as open311_admin
from crm.api.resource import ApiResource, make_site
from crm.store.uow import UnitOfWorkFactory
from kernel.http.kit import Router
from kernel.http.openapi import build_openapi

API_VERSION = "1.0.0"


RouteSet = Callable[[Router], None]


def build_router(deps: ApiDeps, extra: Sequence[RouteSet] = ()) -> Router:
    """Every route: the case store's, then those other parts of the system add (``extra``, e.g. CTI)."""
    router = Router(PATH_PARAMS)
    routes_core.register(router, deps)
    routes_citizens.register(router, deps)
    routes_wrap_up_codes.register(router, deps)
    routes_screen_pop.register(router, deps)
    routes_identity.register(router, deps)
    routes_cases.register(router, deps)
    routes_complaints.register(router, deps)
    routes_phones.register(router, deps)
    routes_security.register(router, deps)
    routes_tools.register(router, deps)
    routes_bills.register(router, deps)
    routes_certificates.register(router, deps)
    routes_verify.register(router, deps)
    open311_admin.register(router, deps)
    for register in extra:
        register(router)
    # the Open311 resource (/open311/v2, crm.api.open311) is served beside the router: its operations join the document
    document = open311_openapi.merge(build_openapi(router, API_VERSION, deps.statuses))
    deps.openapi = lambda: document
    return router


def build_site(
    deps: ApiDeps,
    uow_factory: UnitOfWorkFactory,
    pool: ThreadPool,
    reactor: IReactorFromThreads,
    clock: Callable[[], dt.datetime],
    max_body: int,
    extra: Sequence[RouteSet] = (),
) -> server.Site:
    router = build_router(deps, extra)
    return make_site(ApiResource(router, uow_factory, pool, reactor, clock, deps.statuses), max_body)

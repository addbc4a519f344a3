"""Routes: agents' SIP phones. A new random SIP password, shown once, for the agent, their center's
supervisor or an admin (the store keeps only its HA1; the edge takes it within ``agents_refresh_s``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from crm.agents.sip import rotate_sip_password
from crm.api.deps import ApiDeps
from crm.store.uow import SqlUnitOfWork
from kernel.http.kit import ALL_ROLES, ApiRequest, Reply, Router
from kernel.http.models import Out

V1 = "/api/v1"


class SipPasswordOut(Out):
    login: str
    realm: str = Field(description="the digest realm the phone registers in")
    sip_password: str = Field(description="the phone's new password; shown only in this answer, never stored")


def register(router: Router, deps: ApiDeps) -> None:
    def sip_password(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        credentials = rotate_sip_password(uow, req.require_actor(), req.params["login"], deps.sip_realm)
        out = SipPasswordOut(login=credentials.login, realm=credentials.realm, sip_password=credentials.password)
        return Reply(200, out, {"cache-control": "no-store"})

    router.route(
        "POST",
        f"{V1}/agents/{{login}}/sip-password",
        summary="A new random SIP password for the agent's phone, shown once (the old one stops working)",
        tag="agents",
        roles=ALL_ROLES,
        idempotent_post=False,  # a replay must never show the secret a second time
        responses={200: SipPasswordOut},
        errors=(401, 403, 404),
    )(sip_password)

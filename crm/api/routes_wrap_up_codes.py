"""The wrap-up (disposition) codes of a center, for the console's wrap-up select.

Any logged-in user reads their own center's codes; admins may name another center with ``?center=``. The codes
are configuration, not personal data: nothing here is access-logged.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from crm.api.deps import ApiDeps
from crm.api.routes_core import CENTER_PARAM, V1
from crm.errors import CenterNotFound, OtherCenter
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.http.kit import ApiRequest, Reply, Router
from kernel.http.models import Out


class WrapUpCodeOut(Out):
    code: str
    label: str = Field(description="Korean label agents read")


class WrapUpCodesOut(Out):
    center_code: str
    codes: list[WrapUpCodeOut]


def register(router: Router, deps: ApiDeps) -> None:
    def wrap_up_codes(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        center = req.q("center") or actor.center_code
        if center != actor.center_code and actor.role is not Role.ADMIN:
            raise OtherCenter("you can list your own center's wrap-up codes only")
        if center is None or uow.centers.get(center) is None:
            raise CenterNotFound("no such center", center_code=center)
        codes = [WrapUpCodeOut(code=code, label=label) for code, label in deps.wrap_up_codes.for_center(center)]
        return Reply(200, WrapUpCodesOut(center_code=center, codes=codes))

    router.route(
        "GET",
        f"{V1}/wrap-up-codes",
        summary="Your center's wrap-up (disposition) codes with their Korean labels (admins: ?center=)",
        tag="interactions",
        writes=False,
        responses={200: WrapUpCodesOut},
        errors=(401, 403, 404),
        query=(CENTER_PARAM,),
    )(wrap_up_codes)

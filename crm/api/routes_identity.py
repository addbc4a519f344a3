"""Routes: identity checks on a contact (evidence only), one-time codes by SMS, and supervisors' attestations.

A failed check is answered only after its audit row is committed (an exception would roll it back),
always with the same code and message.
"""

from __future__ import annotations

import datetime as dt

from crm.access import evidence, identity, serving
from crm.api import guards, present
from crm.api import schemas as s
from crm.api.deps import ApiDeps
from crm.api.routes_core import V1
from crm.citizens.model import VerificationMethod
from crm.errors import IdentityCheckLocked
from crm.store.uow import SqlUnitOfWork
from integrations.sms.port import SmsError, SmsRejected
from kernel.actor import Role
from kernel.http.errors import ApiError, error_body
from kernel.http.kit import ApiRequest, Reply, Router

SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
FAILED = 422


def locked_reply(uow: SqlUnitOfWork, error: IdentityCheckLocked) -> Reply:
    """A refused check is answered after its audit row is committed (raising would roll it back)."""
    uow.commit()
    retry = int(error.details.get("retry_after_s", 0))
    return Reply(
        429, error_body(error.code, error.message, error.details), {"retry-after": str(retry)} if retry else {}
    )


def register(router: Router, deps: ApiDeps) -> None:
    limits = deps.guess_limits

    def verify(req: ApiRequest[s.VerifyIn], uow: SqlUnitOfWork) -> Reply:
        try:
            return _verify(req, uow)
        except IdentityCheckLocked as error:
            return locked_reply(uow, error)

    def _verify(req: ApiRequest[s.VerifyIn], uow: SqlUnitOfWork) -> Reply:
        actor, b, iid = req.require_actor(), req.body, req.param_int("interaction_id")
        if b.method is VerificationMethod.RESIDENT_NUMBER:
            if not b.resident_number:
                raise ApiError("validation-failed", "resident-number needs the number the caller states")
            ok = identity.verify_resident_number(
                uow, actor, req.now, deps.rrn_key, limits, interaction_id=iid, spoken=b.resident_number
            )
        else:
            if not b.code:
                raise ApiError("validation-failed", "sms-code needs the code the caller reads back")
            ok = identity.verify_code(uow, actor, req.now, deps.rrn_key, limits, interaction_id=iid, code=b.code)
        if not ok:
            uow.commit()  # the failure's audit row stays, whatever happens to this answer
            return Reply(FAILED, error_body("identity-check-failed", evidence.FAILED_MESSAGE))
        interaction = uow.interactions.get(iid)
        assert interaction is not None
        return Reply(200, present.interaction(interaction))

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/verify",
        summary="Check the caller's identity with evidence (주민등록번호 stated, or the SMS code read back); "
        "unlocks other centers' detail on this contact",
        tag="interactions",
        body=s.VerifyIn,
        responses={200: s.InteractionOut},
        errors=(401, 403, 404, 409, 422, 429),
        guard=guards.own_open_contact,
    )(verify)

    def send_code(req: ApiRequest[s.SendCodeIn], uow: SqlUnitOfWork) -> Reply:
        if deps.sms is None:
            raise ApiError("sms-unavailable", "문자 발송 서비스가 설정되지 않았습니다 (no SMS gateway configured)")
        try:
            todo = identity.prepare_code(
                uow,
                req.require_actor(),
                req.now,
                deps.rrn_key,
                limits,
                interaction_id=req.param_int("interaction_id"),
                phone_index=req.body.phone_index,
            )
        except IdentityCheckLocked as error:
            return locked_reply(uow, error)
        try:
            sent = deps.sms.send(
                todo.to_digits,
                evidence.sms_text(todo.code, limits.code_ttl),
                idempotency_key=f"sori-code-{todo.challenge.id}",
            )
        except SmsRejected as error:  # permanent: e.g. the number on file is not one a carrier takes
            raise ApiError("sms-rejected", error.message, reason=error.reason) from None
        except SmsError as error:  # nothing is kept of a code that was not sent
            raise ApiError("sms-unavailable", error.message, reason=getattr(error, "reason", error.code)) from None
        todo.challenge.message_id = sent.id[:80]
        return Reply(202, s.CodeSentOut(sent_to=todo.challenge.sent_to_masked, expires_at=todo.challenge.expires_at))

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/verify/sms-code",
        summary="Send a one-time code by SMS to a mobile number on file for the contact's citizen",
        tag="interactions",
        body=s.SendCodeIn,
        responses={202: s.CodeSentOut},
        errors=(401, 403, 404, 409, 422, 429, 503),
        guard=guards.own_open_contact,
    )(send_code)

    def attest(req: ApiRequest[s.AttestationIn], uow: SqlUnitOfWork) -> Reply:
        b = req.body
        made = serving.attest(
            uow,
            req.require_actor(),
            req.now,
            agent_id=b.agent_id,
            citizen_id=b.citizen_id,
            kind=b.kind,
            reason=b.reason,
            valid_for=dt.timedelta(minutes=b.valid_minutes),
        )
        assert made.id is not None
        out = s.AttestationOut(
            id=made.id,
            agent_id=made.agent_id,
            citizen_id=made.citizen_id,
            center_code=made.center_code,
            kind=made.kind,
            expires_at=made.expires_at,
        )
        return Reply(201, out)

    router.route(
        "POST",
        f"{V1}/attestations",
        summary="A supervisor attests a walk-in or an outbound duty: the named agent may then start a contact "
        "with that citizen (once, before it expires)",
        tag="interactions",
        roles=SUPERVISORS,
        body=s.AttestationIn,
        responses={201: s.AttestationOut},
        errors=(401, 403, 404, 422),
    )(attest)

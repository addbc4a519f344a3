"""The citizen a tool works for: only the one being served on the agent's open contact, and every such read
access-logged with the purpose "serving".

Certificate reissue and bill inquiry read and act on one citizen's records in another government system, so
they need the contact's citizen, identity checked with evidence on this contact (주민등록번호 stated, or the SMS
code read back: ``crm.access.identity``). A link sent by SMS needs the citizen only (a number on file, never one
the agent types). The external systems know the citizen by ``citizen_ref``: today a mobile number on file
(the reference systems' key; a real deployment would pass the 연계정보 (CI) from its identity provider).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from crm.access.model import Purpose, Scope
from crm.access.policy import AccessDecision
from crm.access.views import log_access
from crm.cases.model import Interaction
from crm.cases.services import own_open_interaction
from crm.citizens.phone import PhoneKind
from crm.errors import IdentityNotVerified, NoCitizenOnContact
from crm.ports import UnitOfWork
from kernel.actor import Actor
from kernel.errors import ValidationFailed


@dataclass(frozen=True)
class ServedCitizen:
    interaction: Interaction
    citizen_id: int
    mobiles: tuple[str, ...]  # the citizen's mobile numbers on file (digits), in the order the citizen page lists

    def mobile(self, index: int) -> str:
        if not 0 <= index < len(self.mobiles):
            raise ValidationFailed(
                "이 민원인에게 등록된 휴대전화가 없습니다 (no such mobile number on file)", mobiles=len(self.mobiles)
            )
        return self.mobiles[index]

    def request_key(self, tool: str, *parts: str) -> str:
        """An idempotency key for one request on this contact: the same contact, citizen and ``parts`` give the
        same key (a double click, a retry after a lost answer), and the contact's start time and call id keep it
        unique beyond this database (the external system outlives a store created afresh)."""
        contact = self.interaction
        named = "|".join((str(contact.id), contact.started_at.isoformat(), contact.sip_call_id or "",
                          str(self.citizen_id), *parts))  # fmt: skip
        return f"sori-{tool}-{contact.id}-{hashlib.sha256(named.encode()).hexdigest()[:32]}"

    @property
    def citizen_ref(self) -> str:
        """How the external systems know this citizen (see the module docstring)."""
        if not self.mobiles:
            raise ValidationFailed("이 민원인은 연계 기관에 조회할 수 있는 식별 정보(휴대전화)가 없습니다")
        number = self.mobiles[0]
        return f"{number[:3]}-{number[3:-4]}-{number[-4:]}"


def served_citizen(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, *, interaction_id: int, via: str, verified: bool
) -> ServedCitizen:
    """The citizen of the actor's open contact (``verified``: whose identity was checked on it), logged."""
    interaction = own_open_interaction(uow, actor, interaction_id)
    if interaction.citizen_id is None:
        raise NoCitizenOnContact("이 상담에 민원인이 지정되지 않았습니다. 민원인을 먼저 확인해 주세요.")
    if verified and interaction.verified_at is None:
        raise IdentityNotVerified(
            "본인 확인(주민등록번호 또는 문자 인증번호) 후에 이용할 수 있습니다.", interaction_id=interaction_id
        )
    decision = AccessDecision(Purpose.SERVING, Scope.OWN_CENTER, None, interaction.id)
    log_access(uow, actor, now, interaction.citizen_id, decision, via, case_id=interaction.case_id)
    phones = uow.citizens.phones(interaction.citizen_id)
    mobiles = tuple(p.digits for p in phones if p.kind == PhoneKind.MOBILE.value)
    return ServedCitizen(interaction, interaction.citizen_id, mobiles)

"""The issuing rules every certificate issuer applies, whatever keeps its register (pure).

``approve`` checks a request in the one order every adapter follows (kind, citizen, channel, delivery method,
contact point on file), so the in-memory issuer and the SQLite one refuse the same request with the same error;
``compose`` makes the certificate and the content its PDF certifies; ``reissue_request`` is the IVR's reissue
as an ordinary request (or None when it cannot be made).
"""

from __future__ import annotations

import datetime as dt
import hmac
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from integrations.certificates.citizens import CitizenRecord, mask_name
from integrations.certificates.document import KST, CertificateContent, verify_url
from integrations.certificates.errors import (
    ChannelNotOffered,
    DeliveryNotAllowed,
    NoContactPoint,
    UnknownCitizen,
    UnknownKind,
)
from integrations.certificates.kinds import CertificateKind, KindTable
from integrations.certificates.port import IssuedCertificate, IssueRequest, Verdict

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by citizens
CODE_LENGTH = 8


@dataclass(frozen=True)
class Approved:
    """A request that may be issued: its kind, its citizen, the fee and the contact point it goes to."""

    kind: CertificateKind
    citizen: CitizenRecord
    fee: int
    point: str


def approve(request: IssueRequest, kinds: KindTable, citizens: Mapping[str, CitizenRecord]) -> Approved:
    """The request's kind, citizen, fee and contact point, or the error that refuses it."""
    kind = kinds.find(request.kind)
    if kind is None:
        raise UnknownKind(f"발급할 수 없는 증명서 종류입니다: {request.kind}", kind=request.kind)
    citizen = citizens.get(request.citizen_ref)
    if citizen is None:
        raise UnknownCitizen("등록된 민원인 정보를 찾을 수 없습니다")
    fee = kind.fee(request.channel)
    if fee is None:
        raise ChannelNotOffered(f"{kind.name}은(는) 이 경로로 발급할 수 없습니다", channel=request.channel)
    if request.delivery not in kind.deliveries:
        raise DeliveryNotAllowed(f"{kind.name}은(는) 이 방법으로 받을 수 없습니다", delivery=request.delivery)
    point = citizen.contact_point(request.delivery)
    if point is None:
        raise NoContactPoint("등록된 수령처가 없어 이 방법으로 보낼 수 없습니다", delivery=request.delivery)
    return Approved(kind, citizen, fee, point)


def new_issue_number(rng: random.Random, taken: Callable[[str], bool]) -> str:
    """16 digits in four groups, as 정부24's 문서확인번호; random, so numbers reveal no volume."""
    while True:
        digits = f"{rng.randrange(10**16):016d}"
        number = "-".join(digits[i : i + 4] for i in range(0, 16, 4))
        if not taken(number):
            return number


def new_code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def compose(
    request: IssueRequest,
    approved: Approved,
    *,
    number: str,
    code: str,
    sequence: int,
    now: dt.datetime,
    verify_base: str,
    kid: str,
) -> tuple[IssuedCertificate, CertificateContent]:
    """The certificate (receipt ``R-<year>-<sequence>``) and the content its PDF certifies."""
    kind, citizen = approved.kind, approved.citizen
    now = now.astimezone(KST).replace(microsecond=0)
    url = verify_url(verify_base, number, code)
    details = tuple((f, v) for f in kind.details if (v := getattr(citizen, f)) is not None)
    content = CertificateContent(
        kind.id, kind.name, number, now, citizen.name, citizen.masked_rrn, request.purpose or "", kind.agency,
        code, url, details,
    )  # fmt: skip
    certificate = IssuedCertificate(
        issue_number=number,
        receipt_number=f"R-{now.year}-{sequence:06d}",
        verification_code=code,
        kind=kind.id,
        kind_name=kind.name,
        agency=kind.agency,
        citizen_ref=citizen.ref,
        name=mask_name(citizen.name),
        channel=request.channel,
        delivery=request.delivery,
        purpose=request.purpose,
        fee=approved.fee,
        issued_at=content.issued_at,
        verify_url=url,
        key_id=kid,
    )
    return certificate, content


def verdict_by_code(issued: IssuedCertificate | None, code: str) -> Verdict:
    """Valid when ``code`` is the certificate's (compared in constant time); else ``unknown``, which says
    nothing of whether the number exists."""
    if issued is None or not hmac.compare_digest(issued.verification_code.encode(), code.strip().upper().encode()):
        return Verdict.of("unknown")
    return Verdict("valid", issued.kind_name, issued.issued_at.date(), issued.name)


def reissue_request(kind: str, citizen_ref: str, kinds: KindTable, citizens: Mapping[str, CitizenRecord]) -> (
    IssueRequest | None
):  # fmt: skip
    """The IVR's reissue (by post, to the address on file) as a request; None when it cannot be made."""
    found, citizen = kinds.find(kind), citizens.get(citizen_ref)
    if found is None or citizen is None or citizen.address is None:
        return None
    if found.fee("ivr") is None or "post" not in found.deliveries:
        return None
    return IssueRequest(citizen_ref, found.id, "ivr", "post")

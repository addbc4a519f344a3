"""An in-memory certificate issuer honouring the port, and the demo issuer ``sori up`` serves until the real one
is configured. Deterministic when given a clock, a random source and a key ring (tests)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from integrations.certificates.citizens import CitizenRecord, mask_contact
from integrations.certificates.demo_data import demo_citizen_records
from integrations.certificates.document import KST, CertificateContent
from integrations.certificates.errors import CertificateNotFound, IdempotencyConflict
from integrations.certificates.issuer_base import IssuerBase
from integrations.certificates.issuing import (
    approve,
    compose,
    new_code,
    new_issue_number,
    verdict_by_code,
)
from integrations.certificates.kinds import KindTable, default_kinds
from integrations.certificates.pdf import render_certificate
from integrations.certificates.port import (
    Delivery,
    DeliveryStatus,
    IssuedCertificate,
    IssueRequest,
    Verdict,
)
from integrations.certificates.signing import KeyRing

DEFAULT_VERIFY_BASE = "https://sori.example/certificates"
NEXT_STATUS: dict[str, tuple[str, ...]] = {"queued": ("sent", "failed"), "sent": ("delivered", "failed")}


@dataclass
class _Record:
    certificate: IssuedCertificate
    content: CertificateContent
    pdf: bytes | None = None  # rendered on first request (signed with the key current at issue)


class InMemoryCertificateIssuer(IssuerBase):
    """Issues, keeps and verifies certificates for the citizens it is given."""

    def __init__(
        self,
        citizens: Iterable[CitizenRecord] = (),
        *,
        kinds: KindTable | None = None,
        keys: KeyRing | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        rng: random.Random | None = None,
        verify_base: str = DEFAULT_VERIFY_BASE,
        compress_pdf: bool = True,
        available: bool = True,
    ) -> None:
        self._citizens = {citizen.ref: citizen for citizen in citizens}
        self._kinds = kinds if kinds is not None else default_kinds()
        self.keys = keys if keys is not None else KeyRing.generate()
        self._clock = clock if clock is not None else (lambda: dt.datetime.now(KST))
        self._rng = rng if rng is not None else random.SystemRandom()
        self._verify_base = verify_base
        self._compress = compress_pdf
        self._sequence = 0
        self._issued: dict[str, _Record] = {}
        self._by_key: dict[str, tuple[IssueRequest, str]] = {}
        self._outbox: dict[str, list[Delivery]] = {}
        self.available = available

    def issue(self, request: IssueRequest) -> IssuedCertificate:
        self._check_available()
        if request.idempotency_key is not None and request.idempotency_key in self._by_key:
            earlier, issue_number = self._by_key[request.idempotency_key]
            if earlier != request:
                raise IdempotencyConflict(
                    "같은 요청 키로 다른 발급 요청이 이미 접수되었습니다", key=request.idempotency_key
                )
            return self._issued[issue_number].certificate
        approved = approve(request, self._kinds, self._citizens)
        self._sequence += 1
        certificate, content = compose(
            request,
            approved,
            number=new_issue_number(self._rng, self._issued.__contains__),
            code=new_code(self._rng),
            sequence=self._sequence,
            now=self._clock(),
            verify_base=self._verify_base,
            kid=self.keys.current_kid,
        )
        number = certificate.issue_number
        self._issued[number] = _Record(certificate, content)
        if request.idempotency_key is not None:
            self._by_key[request.idempotency_key] = (request, number)
        destination = mask_contact(request.delivery, approved.point)
        when = certificate.issued_at
        self._outbox[number] = [Delivery(f"{number}/1", number, request.delivery, destination, "queued", when)]
        return certificate

    def get(self, issue_number: str) -> IssuedCertificate:
        return self._record(issue_number).certificate

    def pdf(self, issue_number: str) -> bytes:
        record = self._record(issue_number)
        if record.pdf is None:
            kid = record.certificate.key_id
            record.pdf = render_certificate(record.content, self.keys, kid=kid, compress=self._compress)
        return record.pdf

    def deliveries(self, issue_number: str) -> list[Delivery]:
        self._record(issue_number)
        return list(self._outbox[issue_number])

    def advance_delivery(self, delivery_id: str, status: DeliveryStatus) -> Delivery:
        """Move a delivery on (queued → sent → delivered, or → failed): what the outbox worker reports."""
        number = delivery_id.rpartition("/")[0]
        entries = self._outbox.get(number, [])
        for index, entry in enumerate(entries):
            if entry.delivery_id == delivery_id:
                if status not in NEXT_STATUS.get(entry.status, ()):
                    raise ValueError(f"{entry.status} → {status}")
                entries[index] = replace(entry, status=status, updated_at=self._clock().astimezone(KST))
                return entries[index]
        raise CertificateNotFound("발송 내역을 찾을 수 없습니다", delivery_id=delivery_id)

    def verify(self, issue_number: str, code: str) -> Verdict:
        self._check_available()
        record = self._issued.get(issue_number)
        return verdict_by_code(None if record is None else record.certificate, code)

    def _registered_content(self, issue_number: str) -> bytes | None:
        record = self._issued.get(issue_number)
        return record.content.to_bytes() if record is not None else None

    def _record(self, issue_number: str) -> _Record:
        self._check_available()
        record = self._issued.get(issue_number)
        if record is None:
            raise CertificateNotFound("발급번호에 해당하는 증명서가 없습니다")
        return record


def demo_certificate_issuer(
    *, keys: KeyRing | None = None, clock: Callable[[], dt.datetime] | None = None, rng: random.Random | None = None
) -> InMemoryCertificateIssuer:
    """The demo citizens' issuer (a fresh signing key each start unless ``keys`` is given)."""
    return InMemoryCertificateIssuer(demo_citizen_records(), keys=keys, clock=clock, rng=rng)

"""A certificate issuer whose register lives in SQLite: what the reference service (``sori refsvc``) plays, so a
restart loses no certificate, no idempotency key and no delivery, and a certificate issued before it still
verifies after it (with the key ring kept beside the store).

It honours the port exactly as ``InMemoryCertificateIssuer`` does (the contract suite runs both): the same
checks in the same order (``issuing``), one certificate per idempotency key, the same key with another request
refused.

Deliveries (the outbox) move on by themselves, advanced lazily when read: each delivery method has a schedule
(``DELIVERY_SCHEDULE``: how long after issue it is handed over, ``sent``, and received, ``delivered``), and a
read writes every transition that has come due, stamped with the time it came due. No timer runs; a delivery
nobody asks about stays as it was written until someone does, which no caller can tell apart.

One connection, used from one thread (the reference service's reactor, or a test): not thread-safe.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from integrations.certificates.citizens import CitizenRecord, mask_contact
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
from integrations.certificates.kinds import DeliveryMethod, KindTable, default_kinds
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
# After issue: (handed over = "sent", received = "delivered"). E-mail, fax and the 전자문서지갑 within minutes;
# the post is printed and handed to 우체국 within the hour and arrives in about two days (일반우편 D+3 at most).
DELIVERY_SCHEDULE: Mapping[str, tuple[dt.timedelta, dt.timedelta]] = {
    "email": (dt.timedelta(seconds=30), dt.timedelta(minutes=2)),
    "fax": (dt.timedelta(minutes=1), dt.timedelta(minutes=3)),
    "wallet": (dt.timedelta(seconds=10), dt.timedelta(minutes=1)),
    "post": (dt.timedelta(hours=1), dt.timedelta(days=2)),
}
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS certificates_issued (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        issue_number TEXT NOT NULL UNIQUE,
        certificate TEXT NOT NULL,
        content BLOB NOT NULL,
        pdf BLOB,
        idempotency_key TEXT UNIQUE,
        request TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS certificates_deliveries (
        delivery_id TEXT PRIMARY KEY,
        issue_number TEXT NOT NULL REFERENCES certificates_issued (issue_number),
        method TEXT NOT NULL,
        destination TEXT NOT NULL,
        status TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS certificates_deliveries_by_number ON certificates_deliveries (issue_number)",
)


def due_status(method: DeliveryMethod, queued_at: dt.datetime, now: dt.datetime) -> tuple[DeliveryStatus, dt.datetime]:
    """Where a delivery queued at ``queued_at`` stands at ``now``, and since when."""
    sent, delivered = DELIVERY_SCHEDULE[method]
    if now >= queued_at + delivered:
        return "delivered", queued_at + delivered
    if now >= queued_at + sent:
        return "sent", queued_at + sent
    return "queued", queued_at


class SqliteCertificateIssuer(IssuerBase):
    """Issues, keeps and verifies certificates for ``citizens``, its register in ``store``'s tables."""

    def __init__(
        self,
        store: sqlite3.Connection,
        citizens: Iterable[CitizenRecord],
        *,
        keys: KeyRing,
        kinds: KindTable | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        rng: random.Random | None = None,
        verify_base: str = DEFAULT_VERIFY_BASE,
        compress_pdf: bool = True,
    ) -> None:
        self.store = store
        self.keys = keys
        self._citizens = {citizen.ref: citizen for citizen in citizens}
        self._kinds = kinds if kinds is not None else default_kinds()
        self._clock = clock if clock is not None else (lambda: dt.datetime.now(KST))
        self._rng = rng if rng is not None else random.SystemRandom()
        self._verify_base = verify_base
        self._compress = compress_pdf
        self.available = True
        for statement in SCHEMA:
            store.execute(statement)

    def issue(self, request: IssueRequest) -> IssuedCertificate:
        return self.issue_once(request)[0]

    def issue_once(self, request: IssueRequest) -> tuple[IssuedCertificate, bool]:
        """The certificate, and whether it was issued before (a repeated idempotency key)."""
        self._check_available()
        key = request.idempotency_key
        if key is not None:
            known = self.store.execute(
                "SELECT certificate, request FROM certificates_issued WHERE idempotency_key = ?", (key,)
            ).fetchone()
            if known is not None:
                if IssueRequest.from_dict(json.loads(known[1])) != request:
                    raise IdempotencyConflict("같은 요청 키로 다른 발급 요청이 이미 접수되었습니다", key=key)
                return IssuedCertificate.from_dict(json.loads(known[0])), True
        approved = approve(request, self._kinds, self._citizens)
        with self.store:  # one transaction: the sequence, the certificate and its delivery together
            self.store.execute("BEGIN IMMEDIATE")
            (last,) = self.store.execute("SELECT COALESCE(MAX(seq), 0) FROM certificates_issued").fetchone()
            certificate, content = compose(
                request,
                approved,
                number=new_issue_number(self._rng, self._taken),
                code=new_code(self._rng),
                sequence=last + 1,
                now=self._clock(),
                verify_base=self._verify_base,
                kid=self.keys.current_kid,
            )
            number, when = certificate.issue_number, certificate.issued_at.isoformat()
            self.store.execute(
                "INSERT INTO certificates_issued (seq, issue_number, certificate, content, idempotency_key, request)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (last + 1, number, _json(certificate.to_dict()), content.to_bytes(), key, _json(request.to_dict())),
            )
            self.store.execute(
                "INSERT INTO certificates_deliveries (delivery_id, issue_number, method, destination, status,"
                " queued_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                (f"{number}/1", number, request.delivery, mask_contact(request.delivery, approved.point), when, when),
            )
        return certificate, False

    def get(self, issue_number: str) -> IssuedCertificate:
        return IssuedCertificate.from_dict(json.loads(self._row(issue_number, "certificate")))

    def pdf(self, issue_number: str) -> bytes:
        pdf = self._row(issue_number, "pdf")
        if pdf is None:  # rendered on first request, signed with the key current at issue, then kept
            certificate, content = self.get(issue_number), self._content(issue_number)
            pdf = render_certificate(content, self.keys, kid=certificate.key_id, compress=self._compress)
            with self.store:
                self.store.execute("UPDATE certificates_issued SET pdf = ? WHERE issue_number = ?", (pdf, issue_number))
        return bytes(pdf)

    def deliveries(self, issue_number: str) -> list[Delivery]:
        self._row(issue_number, "seq")
        now = self._clock().astimezone(KST)
        rows = self.store.execute(
            "SELECT delivery_id, method, destination, status, queued_at, updated_at FROM certificates_deliveries"
            " WHERE issue_number = ? ORDER BY delivery_id",
            (issue_number,),
        ).fetchall()
        found = []
        for delivery_id, method, destination, status, queued_at, updated_at in rows:
            since = dt.datetime.fromisoformat(updated_at)
            if status in ("queued", "sent"):
                due, due_since = due_status(method, dt.datetime.fromisoformat(queued_at), now)
                if due != status:
                    status, since = due, due_since
                    with self.store:
                        self.store.execute(
                            "UPDATE certificates_deliveries SET status = ?, updated_at = ? WHERE delivery_id = ?",
                            (status, since.isoformat(), delivery_id),
                        )
            found.append(Delivery(delivery_id, issue_number, method, destination, status, since))
        return found

    def verify(self, issue_number: str, code: str) -> Verdict:
        self._check_available()
        row = self.store.execute(
            "SELECT certificate FROM certificates_issued WHERE issue_number = ?", (issue_number,)
        ).fetchone()
        return verdict_by_code(None if row is None else IssuedCertificate.from_dict(json.loads(row[0])), code)

    def _registered_content(self, issue_number: str) -> bytes | None:
        row = self.store.execute(
            "SELECT content FROM certificates_issued WHERE issue_number = ?", (issue_number,)
        ).fetchone()
        return bytes(row[0]) if row is not None else None

    def _taken(self, number: str) -> bool:
        found = self.store.execute("SELECT 1 FROM certificates_issued WHERE issue_number = ?", (number,)).fetchone()
        return found is not None

    def _content(self, issue_number: str) -> CertificateContent:
        return CertificateContent.from_bytes(bytes(self._row(issue_number, "content")))

    def _row(self, issue_number: str, column: str) -> Any:
        self._check_available()
        row = self.store.execute(
            f"SELECT {column} FROM certificates_issued WHERE issue_number = ?", (issue_number,)
        ).fetchone()
        if row is None:
            raise CertificateNotFound("발급번호에 해당하는 증명서가 없습니다")
        return row[0]


def _json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)

"""The reference 정부24 certificate-issuing API (``docs/integrations/certificates.openapi.json``).

Played by ``sori refsvc`` at ``/certificates`` over a ``SqliteCertificateIssuer`` in the service's store: the
kinds on offer, issuing (once per ``Idempotency-Key``), one certificate, its sealed PDF, its deliveries, the
forgery checks (by number and code, or by the PDF itself) and the published public keys. The HTTP adapter
(``http_adapter``) speaks exactly this, and so would a real endpoint put in its place.

The signing keys live in ``<state-dir>/certificates-keys`` (created 0600 on first start, loaded after), so
certificates issued before a restart keep verifying; QR codes lead to ``--verify-base-url``'s ``/verify`` page.

Reading a certificate takes its issue number alone, no citizen header: the caller is the contact center's
server, authenticated by its API key, and it shows an agent a certificate only after checking that it was
issued to the citizen the agent is serving (``crm.api.routes_certificates``); the issue number is 16 random
digits, printed on the certificate for whoever must check it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any, cast

from integrations.certificates import wire
from integrations.certificates.demo_data import demo_citizen_records
from integrations.certificates.document import KST
from integrations.certificates.errors import UnreadableDocument
from integrations.certificates.http_status import STATUS as CERTIFICATE_STATUS
from integrations.certificates.port import Verdict
from integrations.certificates.signing import KeyRing
from integrations.certificates.sqlite_store import SqliteCertificateIssuer
from integrations.refsvc.system import Options, PlayedSystem
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, Reply, Router
from kernel.http.openapi import IDEMPOTENCY_KEY_SCHEMA
from kernel.http.params import check_value

PREFIX = "/certificates"
CERTIFICATES = "/v1/certificates"
ONE = "/v1/certificates/{issue_number}"
PDF = "/v1/certificates/{issue_number}/pdf"
VERIFY_PDF = "/v1/verifications/pdf"
KEYS_DIR = "certificates-keys"
STATUS = {
    **CERTIFICATE_STATUS,
    "unauthorized": 401,
    "idempotency-key-required": 400,
}  # beside the kernel's (validation-failed …)


def ready(issuer: SqliteCertificateIssuer | None) -> SqliteCertificateIssuer:
    if issuer is None:
        raise AssertionError("routes built for the document only were asked to serve")
    return issuer


def idempotency_key(req: ApiRequest[Any]) -> str:
    key = req.headers.get("idempotency-key")
    if key is None:
        raise ApiError("idempotency-key-required", "send an Idempotency-Key header: one key names one certificate")
    check_value("Idempotency-Key", IDEMPOTENCY_KEY_SCHEMA, key)
    return key


def router(issuer: SqliteCertificateIssuer | None) -> Router:
    """The routes (``issuer`` None: for the document only; a request then is a defect)."""
    routes = Router(path_params={"issue_number": wire.ISSUE_NUMBER})

    def kinds(req: ApiRequest[Any], _: Any) -> Reply:
        return Reply(200, wire.kinds_out(ready(issuer).kinds()))

    routes.route(
        "GET",
        "/v1/kinds",
        summary="The kinds of certificate on offer: fees by channel (won; a channel without a fee is not offered) "
        "and the delivery methods each allows",
        tag="kinds",
        roles=None,
        responses={200: wire.KindsOut},
        writes=False,
    )(kinds)

    def issue(req: ApiRequest[wire.IssueIn], _: Any) -> Reply:
        request = wire.issue_request(req.body, idempotency_key(req))
        issued, replayed = ready(issuer).issue_once(request)
        return Reply(200 if replayed else 201, wire.certificate_out(issued))

    routes.route(
        "POST",
        CERTIFICATES,
        summary="Issue a certificate and queue its delivery to the citizen's contact point on file, once per "
        "Idempotency-Key (201; a repeat answers the first certificate, 200, and issues nothing more)",
        tag="certificates",
        roles=None,
        body=wire.IssueIn,
        responses={200: wire.CertificateOut, 201: wire.CertificateOut},
        errors=(400, 404, 409, 422),
        idempotent_post=False,
    )(issue)

    def one(req: ApiRequest[Any], _: Any) -> Reply:
        return Reply(200, wire.certificate_out(ready(issuer).get(req.params["issue_number"])))

    routes.route(
        "GET",
        ONE,
        summary="One issued certificate (the name masked)",
        tag="certificates",
        roles=None,
        responses={200: wire.CertificateOut},
        errors=(404,),
        writes=False,
    )(one)

    def pdf(req: ApiRequest[Any], _: Any) -> Reply:
        document = ready(issuer).pdf(req.params["issue_number"])
        return Reply(200, cast(Any, document), {"content-type": "application/pdf"})

    routes.route(
        "GET",
        PDF,
        summary="The certificate's sealed PDF (application/pdf): its text, a QR code of the verification page, "
        "the signed content embedded, and a seal over every byte",
        tag="certificates",
        roles=None,
        responses={200: None},
        errors=(404,),
        writes=False,
    )(pdf)

    def deliveries(req: ApiRequest[Any], _: Any) -> Reply:
        return Reply(200, wire.deliveries_out(ready(issuer).deliveries(req.params["issue_number"])))

    routes.route(
        "GET",
        "/v1/certificates/{issue_number}/deliveries",
        summary="The certificate's outbox: each delivery (destination masked) as it moves queued → sent → delivered",
        tag="certificates",
        roles=None,
        responses={200: wire.DeliveriesOut},
        errors=(404,),
        writes=False,
    )(deliveries)

    def verify(req: ApiRequest[wire.VerificationIn], _: Any) -> Reply:
        verdict = ready(issuer).verify(req.body.issue_number, req.body.verification_code)
        return Reply(200, wire.verdict_out(verdict))

    routes.route(
        "POST",
        "/v1/verifications",
        summary="Check an issue number and its verification code: valid (with the kind, issue date and masked "
        "name) or unknown — a wrong code and a number never issued answer alike",
        tag="verifications",
        roles=None,
        body=wire.VerificationIn,
        responses={200: wire.VerdictOut},
        idempotent_post=False,
        writes=False,
    )(verify)

    def verify_pdf(req: ApiRequest[Any], _: Any) -> Reply:
        try:
            verdict = ready(issuer).verify_pdf(req.body)
        except UnreadableDocument:  # not a PDF at all: certainly no certificate of ours (the document says so)
            verdict = Verdict.of("unknown")
        return Reply(200, wire.verdict_out(verdict))

    routes.route(
        "POST",
        VERIFY_PDF,
        summary="Check a certificate PDF (application/pdf): valid, altered (any byte changed, a field edited, "
        "the seal cut off) or unknown (not one this issuer sealed — a file that is no PDF at all included)",
        tag="verifications",
        roles=None,
        responses={200: wire.VerdictOut},
        idempotent_post=False,
        writes=False,
    )(verify_pdf)

    def public_keys(req: ApiRequest[Any], _: Any) -> Reply:
        return Reply(200, wire.public_keys_out(ready(issuer).public_keys()))

    routes.route(
        "GET",
        "/v1/public-keys",
        summary="The published Ed25519 verification keys (for offline checks: sori tools certificate-verify)",
        tag="keys",
        roles=None,
        responses={200: wire.PublicKeysOut},
        writes=False,
    )(public_keys)
    return routes


def key_ring(directory: Path) -> KeyRing:
    """The signing keys in ``directory``: created (0600, in a 0700 directory) on first start, loaded after."""
    if not any(directory.glob("*.key")):
        KeyRing.generate().save(directory)
    return KeyRing.load(directory)


def _state(store: sqlite3.Connection, options: Options) -> SqliteCertificateIssuer:
    return SqliteCertificateIssuer(
        store,
        demo_citizen_records(),
        keys=key_ring(options.state_dir / KEYS_DIR),
        clock=lambda: dt.datetime.now(KST),
        verify_base=options.verify_base_url,
    )


SYSTEM = PlayedSystem(
    name="certificates",
    prefix=PREFIX,
    title="증명서 발급 (정부24 · 발급기관) — reference API",
    description="Issue certificates (주민등록표 등·초본, 가족관계증명서, 납세증명서 …) to a citizen, delivered only "
    "to a contact point on file (once per Idempotency-Key); read one, its sealed PDF and its deliveries; check a "
    "certificate by issue number and verification code or by its PDF; and the published Ed25519 keys for "
    "offline checks. Names are masked in every answer; fees are integer won.",
    statuses=STATUS,
    routes=router,
    state=_state,
    raw_bodies={("POST", VERIFY_PDF): "application/pdf"},
    raw_responses={("GET", PDF): "application/pdf"},
    idempotent=frozenset({("POST", CERTIFICATES)}),
)

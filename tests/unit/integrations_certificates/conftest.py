"""Fixtures for the certificate issuer's tests: a fixed clock, a seeded random source, deterministic keys."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from integrations.certificates.document import KST
from integrations.certificates.memory import InMemoryCertificateIssuer
from integrations.certificates.port import IssuedCertificate, IssueRequest
from integrations.certificates.signing import KeyRing

NOW = dt.datetime(2026, 3, 2, 9, 30, 15, tzinfo=KST)


def make_issuer(**kwargs: object) -> InMemoryCertificateIssuer:
    from integrations.certificates.demo_data import demo_citizen_records

    defaults: dict[str, object] = {
        "keys": KeyRing.generate(bytes(range(32))),
        "clock": lambda: NOW,
        "rng": random.Random(7),
        "verify_base": "https://verify.example.kr/gov24",
    }
    defaults.update(kwargs)
    return InMemoryCertificateIssuer(demo_citizen_records(), **defaults)  # type: ignore[arg-type]


@pytest.fixture
def issuer() -> InMemoryCertificateIssuer:
    return make_issuer()


@pytest.fixture(scope="module")
def issued_pdf() -> tuple[InMemoryCertificateIssuer, IssuedCertificate, bytes]:
    """One 주민등록표 등본 issued to 010-5000-0000 (e-mail, fax, wallet on file), compressed PDF."""
    issuer = make_issuer()
    issued = issuer.issue(IssueRequest("010-5000-0000", "주민등록표 등본", "online", "wallet", "은행 제출용"))
    return issuer, issued, issuer.pdf(issued.issue_number)

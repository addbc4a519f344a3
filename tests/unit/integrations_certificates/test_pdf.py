"""The certificate PDF: it opens, shows the Korean fields, carries the QR code of the verification URL, and ANY
change to it is detected offline (the seal over the bytes, and the visible text against the signed content)."""

from __future__ import annotations

import dataclasses
import io
import re
import time
from pathlib import Path

import pypdf
import pytest
from fpdf import FPDF

from integrations.certificates.document import CertificateContent
from integrations.certificates.errors import FontMissing, UnreadableDocument
from integrations.certificates.memory import InMemoryCertificateIssuer
from integrations.certificates.pdf import CONTENT_FILE, qr_matrix, render_certificate, seal, verify_certificate
from integrations.certificates.port import IssuedCertificate, IssueRequest, Verdict
from integrations.certificates.signing import KeyRing, PublicKeys
from tests.unit.integrations_certificates.conftest import NOW, make_issuer

Issued = tuple[InMemoryCertificateIssuer, IssuedCertificate, bytes]


@pytest.fixture(scope="module")
def plain() -> Issued:
    """The same kind of certificate with uncompressed content streams (text editable by byte replacement)."""
    issuer = make_issuer(compress_pdf=False)
    issued = issuer.issue(IssueRequest("010-5000-0000", "주민등록표 등본", "online", "wallet"))
    return issuer, issued, issuer.pdf(issued.issue_number)


def _text(pdf: bytes) -> str:
    return "".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def _content(pdf: bytes) -> CertificateContent:
    """The signed canonical content a certificate PDF carries."""
    return CertificateContent.from_bytes(pypdf.PdfReader(io.BytesIO(pdf)).attachments[CONTENT_FILE][0])


def _unsealed(pdf: bytes) -> bytes:
    return pdf[: pdf.rindex(b"%SORI-SIGNATURE/1 ")]


def test_the_pdf_opens_and_shows_the_certificate_in_korean(issued_pdf: Issued) -> None:
    _, issued, pdf = issued_pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and reader.metadata is not None and reader.metadata.title == "주민등록표 등본"
    text = _text(pdf)
    for expected in ("주민등록표등본", "성명:김민준", f"발급번호:{issued.issue_number}", issued.verification_code):
        assert expected in text
    assert "용도:은행제출용" in text and "발급일시:2026년03월02일09:30(한국표준시)" in text
    assert "500101-1******" in text and not re.search(r"\d{6}-\d{7}", text)  # never a clear 주민등록번호
    assert 10_000 < len(pdf) < 100_000


def _dark(pixel: object) -> bool:
    assert isinstance(pixel, int)
    return pixel < 128


def test_the_qr_code_drawn_is_the_verification_url_s(issued_pdf: Issued) -> None:
    _, issued, pdf = issued_pdf
    [image] = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images
    picture = image.image
    assert picture is not None
    expected = qr_matrix(issued.verify_url)
    assert expected != qr_matrix(issued.verify_url.replace("code=", "code=X"))
    scale, border = 4, 2  # as render_certificate saves it
    assert picture.size == ((len(expected) + 2 * border) * scale,) * 2
    grey = picture.convert("L")
    drawn = [
        [_dark(grey.getpixel(((col + border) * scale + 1, (row + border) * scale + 1))) for col in range(len(expected))]
        for row in range(len(expected))
    ]
    assert drawn == expected


def test_rendering_is_deterministic_and_reasonably_fast(issued_pdf: Issued) -> None:
    issuer, _, pdf = issued_pdf
    started = time.perf_counter()
    again = render_certificate(_content(pdf), issuer.keys)
    assert time.perf_counter() - started < 5
    assert again == pdf


def test_an_untouched_certificate_is_valid_offline_with_published_keys(issued_pdf: Issued) -> None:
    issuer, _, pdf = issued_pdf
    published = PublicKeys.from_json(issuer.public_keys())
    checked = verify_certificate(pdf, published)
    assert (checked.verdict, checked.reason) == (Verdict("valid", "주민등록표 등본", NOW.date(), "김*준"), "ok")
    assert issuer.verify_pdf(pdf) == checked.verdict


@pytest.mark.parametrize("where", [0.1, 0.3, 0.5, 0.7, 0.9, -60])
def test_a_single_flipped_byte_anywhere_is_altered(issued_pdf: Issued, where: float) -> None:
    issuer, _, pdf = issued_pdf
    at = int(len(pdf) * where) if where > 0 else len(pdf) + int(where)
    flipped = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    assert verify_certificate(flipped, issuer.keys.public()).verdict == Verdict("altered")


def test_a_byte_flipped_in_the_content_stream_is_altered(plain: Issued) -> None:
    issuer, _, pdf = plain
    at = pdf.index(b") Tj") - 1
    flipped = pdf[:at] + bytes([pdf[at] ^ 0x02]) + pdf[at + 1 :]
    checked = verify_certificate(flipped, issuer.keys.public())
    assert (checked.verdict.verdict, checked.reason) == ("altered", "seal-mismatch")


def _swap_name(stream: bytes) -> bytes:
    """Swap the last two glyphs of the 성명 line (김민준 → 김준민) in a content stream."""
    shown = list(re.finditer(rb"Td \((.*?)\) Tj", stream, re.DOTALL))
    name_line = shown[2]  # title, 발급번호, 성명
    start, end = name_line.span(1)
    codes = stream[start:end]
    return stream[:start] + codes[:-4] + codes[-2:] + codes[-4:-2] + stream[end:]


def test_an_edited_name_is_altered_even_when_resealed_by_a_key_holder(plain: Issued) -> None:
    issuer, _, pdf = plain
    edited = _swap_name(_unsealed(pdf))
    assert "성명:김준민" in _text(edited)  # the edit really changed what a reader sees
    keys = issuer.keys.public()
    unsealed = edited + pdf[len(_unsealed(pdf)) :]
    assert verify_certificate(unsealed, keys).reason == "seal-mismatch"
    resealed = seal(edited, issuer.keys)  # an insider with the key cannot make the page say otherwise
    checked = verify_certificate(resealed, keys)
    assert (checked.verdict.verdict, checked.reason) == ("altered", "text-mismatch")


def test_a_text_edit_resaved_by_pypdf_is_altered(issued_pdf: Issued) -> None:
    issuer, _, pdf = issued_pdf
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    contents = writer.pages[0].get_contents()
    assert contents is not None
    contents.set_data(_swap_name(contents.get_data()))
    writer.pages[0].replace_contents(contents)
    out = io.BytesIO()
    writer.write(out)
    resaved = out.getvalue()
    assert "성명:김준민" in _text(resaved)
    keys = issuer.keys.public()
    assert verify_certificate(resaved, keys).verdict == Verdict("altered")  # seal gone, our file: altered
    assert verify_certificate(seal(resaved, issuer.keys), keys).reason == "text-mismatch"


def test_a_stripped_seal_or_anything_appended_after_it_is_altered(issued_pdf: Issued) -> None:
    issuer, _, pdf = issued_pdf
    keys = issuer.keys.public()
    assert verify_certificate(_unsealed(pdf), keys).verdict == Verdict("altered")
    update = b"1 0 obj\n<< >>\nendobj\ntrailer\n<< /Size 1 >>\n%%EOF\n"
    assert verify_certificate(pdf + update, keys).verdict == Verdict("altered")
    half = pdf[: len(pdf) // 2]
    assert verify_certificate(half, keys).verdict == Verdict("altered")


def test_unknown_keys_foreign_pdfs_and_unregistered_certificates_are_unknown(issued_pdf: Issued) -> None:
    issuer, _, pdf = issued_pdf
    stranger = KeyRing.generate(bytes([9] * 32))
    assert verify_certificate(pdf, stranger.public()).verdict == Verdict("unknown")
    foreign = FPDF()
    foreign.add_page()
    assert verify_certificate(bytes(foreign.output()), issuer.keys.public()).verdict == Verdict("unknown")
    forged = dataclasses.replace(_content(pdf), issue_number="9999-9999-9999-9999")
    never_issued = render_certificate(forged, issuer.keys)
    assert verify_certificate(never_issued, issuer.keys.public()).verdict.valid  # signed by our key …
    assert issuer.verify_pdf(never_issued) == Verdict("unknown")  # … but not in the register


@pytest.mark.parametrize("data", [b"", b"hello", b"\x00" * 1000, b"<html>%PDF-1.4</html>", bytes(range(256)) * 10])
def test_garbage_is_a_clear_error(issued_pdf: Issued, data: bytes) -> None:
    issuer, _, _ = issued_pdf
    with pytest.raises(UnreadableDocument) as refused:
        verify_certificate(data, issuer.keys.public())
    assert "PDF" in refused.value.message
    with pytest.raises(UnreadableDocument):
        issuer.verify_pdf(data)


def test_a_huge_or_malformed_pdf_is_handled(issued_pdf: Issued) -> None:
    issuer, _, pdf = issued_pdf
    with pytest.raises(UnreadableDocument, match="너무 큽니다"):
        verify_certificate(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), issuer.keys.public())
    broken = seal(b"%PDF-1.4\nnot really a pdf\n%%EOF\n", issuer.keys)  # sealed by us, yet unparseable
    assert verify_certificate(broken, issuer.keys.public()).reason == "unparseable"
    bad_seal = _unsealed(pdf) + b"%SORI-SIGNATURE/1 kid=" + issuer.keys.current_kid.encode() + b" sig=!!\n"
    assert verify_certificate(bad_seal, issuer.keys.public()).verdict == Verdict("altered")


def test_old_certificates_still_verify_after_a_key_rotation() -> None:
    issuer = make_issuer()
    old = issuer.issue(IssueRequest("010-5000-0003", "납세증명서", "online", "post"))
    old_kid = issuer.keys.current_kid
    new_kid = issuer.keys.rotate(bytes([5] * 32))
    new = issuer.issue(IssueRequest("010-5000-0003", "납세증명서", "online", "post"))
    assert (old.key_id, new.key_id) == (old_kid, new_kid) and old_kid != new_kid
    published = PublicKeys.from_json(issuer.public_keys())
    assert sorted(published.kids()) == sorted([old_kid, new_kid])
    old_pdf, new_pdf = issuer.pdf(old.issue_number), issuer.pdf(new.issue_number)  # rendered after the rotation
    assert f"kid={old_kid}".encode() in old_pdf[-200:] and f"kid={new_kid}".encode() in new_pdf[-200:]
    assert issuer.verify_pdf(old_pdf).valid and issuer.verify_pdf(new_pdf).valid
    issuer.keys.retire(old_kid)
    assert issuer.verify_pdf(old_pdf) == Verdict("unknown") and issuer.verify_pdf(new_pdf).valid


def test_a_missing_font_names_the_package_to_install(issued_pdf: Issued, tmp_path: Path) -> None:
    issuer, _, pdf = issued_pdf
    with pytest.raises(FontMissing, match="apt-get install fonts-nanum"):
        render_certificate(_content(pdf), issuer.keys, font=tmp_path / "NanumGothic.ttf")

"""The certificate PDF: rendering (Korean text in NanumGothic, a QR code of the verification URL), sealing, and
offline verification (touches only bytes and the font file).

Signing scheme (``SORI-CERTIFICATE/1``):

1. The canonical content ``C`` (``document.CertificateContent.to_bytes``) is signed with the ring's current
   Ed25519 key: ``S1 = Ed25519(C)``.
2. The PDF shows ``C``'s fields as text (``visible_lines``) and carries ``C`` and ``{"alg", "kid", "signature":
   S1}`` as two embedded files (``sori-certificate.txt``, ``sori-certificate.sig.json``). Call its bytes ``P``.
3. ``P`` is sealed: one trailing line is appended after ``%%EOF``:
   ``%SORI-SIGNATURE/1 kid=<kid> alg=Ed25519 sig=<base64url(Ed25519(P))>\\n``. PDF readers ignore bytes after
   the last ``%%EOF`` (and the line is a PDF comment), so the file opens as usual.

Verifying (public keys only, offline) checks, in order: the file is a PDF within the size limit (else
``UnreadableDocument``); the seal is the file's last line, names a known key and verifies over every byte before
it (so ANY change — one flipped byte, an incremental update appended, a re-save by another tool — is caught);
the embedded content and its signature verify; and the text pypdf extracts from the pages is exactly the signed
content's visible lines (whitespace aside). The last two are defence in depth: they make the verdict's fields
come from signed content rather than from the page layout, and they catch a signer that sealed a page whose
text is not the record (a bug or an insider with the key but a doctored page).

Verdicts: ``valid``; ``altered`` (a seal or signature that does not verify, a file of ours whose seal was cut
off, text that no longer matches); ``unknown`` (a PDF not sealed by us, or sealed by a key we do not know).
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pypdf
import segno
from fpdf import FPDF

from integrations.certificates.document import CertificateContent, ContentInvalid, same_text
from integrations.certificates.errors import FontMissing, UnreadableDocument
from integrations.certificates.port import Verdict
from integrations.certificates.signing import ALG, KeyRing, PublicKeys, b64url, unb64url

FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
MAX_PDF_BYTES = 5 * 1024 * 1024
CONTENT_FILE = "sori-certificate.txt"
SIGNATURE_FILE = "sori-certificate.sig.json"
SEAL = b"%SORI-SIGNATURE/1 "
_MARKER = CONTENT_FILE.encode("ascii")  # present in the bytes of every PDF we render, compressed or not

# fontTools reports every table it cannot subset (NanumGothic's hinting tables) at WARNING: not our concern.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


def render_certificate(
    content: CertificateContent, keys: KeyRing, *, kid: str | None = None, font: Path = FONT, compress: bool = True
) -> bytes:
    """The sealed PDF for this content, signed with ``kid`` or the current key (deterministic for a given
    content, key and ``compress``). Takes ~0.1-0.3 s, most of it parsing the font."""
    if not font.is_file():
        raise FontMissing(f"증명서용 한글 글꼴이 없습니다: {font} — apt-get install fonts-nanum 으로 설치하세요")
    canonical = content.to_bytes()
    kid, signature = keys.sign(canonical, kid)
    pdf = FPDF(format="A4")
    pdf.compress = compress
    pdf.set_creation_date(content.issued_at)
    pdf.set_title(content.kind_name)
    pdf.set_author(content.agency)
    pdf.set_creator("Sori certificate issuer")
    pdf.add_font("NanumGothic", fname=str(font))
    pdf.add_page()
    lines = content.visible_lines()
    pdf.set_font("NanumGothic", size=22)
    pdf.set_y(25)
    pdf.cell(w=0, h=14, text=lines[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("NanumGothic", size=11)
    qr = segno.make(content.verify_url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=2)
    image.seek(0)
    pdf.image(image, x=160, y=48, w=35, h=35)
    for line in lines[1:-2]:
        pdf.multi_cell(w=140, h=8, text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("NanumGothic", size=9)
    for line in lines[-2:]:
        pdf.multi_cell(w=0, h=6, text=line, new_x="LMARGIN", new_y="NEXT")
    stamp = {"alg": ALG, "kid": kid, "signature": b64url(signature)}
    pdf.embed_file(
        basename=CONTENT_FILE, bytes=canonical, desc="canonical content", modification_date=content.issued_at
    )
    pdf.embed_file(
        basename=SIGNATURE_FILE,
        bytes=json.dumps(stamp, sort_keys=True).encode("ascii"),
        desc="Ed25519 signature of the canonical content",
        modification_date=content.issued_at,
    )
    return seal(bytes(pdf.output()), keys, kid)


def seal(pdf: bytes, keys: KeyRing, kid: str | None = None) -> bytes:
    """Append the signature line over every byte of ``pdf``."""
    if not pdf.endswith(b"\n"):
        pdf += b"\n"
    kid, signature = keys.sign(pdf, kid)
    return pdf + SEAL + f"kid={kid} alg={ALG} sig={b64url(signature)}\n".encode("ascii")


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR module matrix the PDF draws for ``url`` (tests compare it with the image's)."""
    return [[bool(module) for module in row] for row in segno.make(url, error="m").matrix]


@dataclass(frozen=True)
class Checked:
    """A verification's verdict, the signed content when valid, and a stable reason code."""

    verdict: Verdict
    content: CertificateContent | None
    reason: str


def verify_certificate(data: bytes, keys: PublicKeys, *, max_bytes: int = MAX_PDF_BYTES) -> Checked:
    """Verify a certificate PDF offline (see the module docstring); ``UnreadableDocument`` when not a PDF."""
    if len(data) > max_bytes:
        raise UnreadableDocument(f"파일이 너무 큽니다 ({len(data):,}바이트, 최대 {max_bytes:,}바이트)")
    if not data.startswith(b"%PDF-"):
        raise UnreadableDocument("PDF 파일이 아닙니다")
    body, seal_line = _split_seal(data)
    if seal_line is None:
        return _not_valid("altered" if _claims_to_be_ours(data) else "unknown", "no-seal")
    fields = dict(part.partition("=")[::2] for part in seal_line.split(" "))
    kid = fields.get("kid", "")
    if kid not in keys:
        return _not_valid("unknown", "unknown-key")
    try:
        signature = unb64url(fields.get("sig", ""))
    except ValueError:
        return _not_valid("altered", "seal-malformed")
    if fields.get("alg") != ALG or not keys.verify(kid, body, signature):
        return _not_valid("altered", "seal-mismatch")
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        attachments = reader.attachments
        canonical = attachments[CONTENT_FILE][0]
        stamp = json.loads(attachments[SIGNATURE_FILE][0])
        text = "\n".join(page.extract_text() for page in reader.pages)
    except Exception:  # pypdf raises many types on a broken file (and sealed bytes should never be one)
        return _not_valid("altered", "unparseable")
    if not isinstance(stamp, dict) or stamp.get("alg") != ALG:
        return _not_valid("altered", "content-signature-malformed")
    try:
        content_signature = unb64url(str(stamp.get("signature", "")))
    except ValueError:
        return _not_valid("altered", "content-signature-malformed")
    if not keys.verify(str(stamp.get("kid", "")), canonical, content_signature):
        return _not_valid("altered", "content-signature-mismatch")
    try:
        content = CertificateContent.from_bytes(canonical)
    except ContentInvalid:
        return _not_valid("altered", "content-malformed")
    if not same_text(text, content.visible_lines()):
        return _not_valid("altered", "text-mismatch")
    return Checked(Verdict.of_valid(content.kind_name, content.issued_on, content.name), content, "ok")


def _claims_to_be_ours(data: bytes) -> bool:
    """Whether an unsealed PDF carries our embedded content (a certificate of ours whose seal was cut off, or
    re-saved by another tool): such a file is ``altered``, not merely ``unknown``."""
    if _MARKER in data:
        return True
    try:
        return CONTENT_FILE in pypdf.PdfReader(io.BytesIO(data)).attachments
    except Exception:  # a broken foreign file: not one of ours that we can tell
        return False


def _split_seal(data: bytes) -> tuple[bytes, str | None]:
    """(the signed bytes, the seal line's fields) when the file's last line is a seal."""
    if not data.endswith(b"\n"):
        return data, None
    start = data.rfind(b"\n", 0, len(data) - 1) + 1
    line = data[start:-1]
    if start == 0 or not line.startswith(SEAL):
        return data, None
    try:
        return data[:start], line[len(SEAL) :].decode("ascii")
    except UnicodeDecodeError:
        return data, None


def _not_valid(verdict: str, reason: str) -> Checked:
    return Checked(Verdict.of(verdict), None, reason)

"""The public ``/verify`` page (증명서 진위 확인): a small server-rendered Korean page, no JavaScript.

A certificate's QR code leads here with ``?no=…&code=…`` and the page shows the verdict at once; otherwise a
form takes the issue number and verification code, and another takes the PDF itself (a form upload). The
verdict is one of 유효한 증명서 (with the kind, issue date and masked name), 위조 또는 변조, or 확인할 수 없음
(a wrong code and a number never issued alike). Checks are rate-limited per client address (429 with
``Retry-After``).

The page is a twisted.web ``Resource`` over two callables — ``verify(no, code)`` and ``verify_pdf(bytes)``, each
a Deferred of the port's ``Verdict`` (``page_for(tools)`` builds them over the agent tools' issuer, on the
tool thread pool). Every answer carries a Content-Security-Policy without scripts (the one style block is
allowed by its hash), ``Referrer-Policy: no-referrer`` (the URL holds the code) and ``no-store``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
from collections.abc import Callable
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure
from twisted.web import resource, server
from twisted.web.server import NOT_DONE_YET

from crm.api.public_verify import MAX_PDF_BYTES, TokenBuckets, issue_number, too_many_message, verification_code
from crm.api.tools import AgentTools
from integrations.certificates.errors import CertificateIssuerUnavailable, UnreadableDocument
from integrations.certificates.port import Verdict
from integrations.errors import ServiceUnavailable

log = logging.getLogger("sori.verify")
Verify = Callable[[str, str], "defer.Deferred[Verdict]"]
VerifyPdf = Callable[[bytes], "defer.Deferred[Verdict]"]
STYLE = (
    "body{font-family:'Noto Sans KR','Malgun Gothic',sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b;line-height:1.6}h1{font-size:1.5rem}form{margin:1rem 0;padding:1rem;border:1px solid #ccc;"
    "border-radius:.5rem}label{display:block;margin:.5rem 0}input[type=text]{width:100%;box-sizing:border-box;"
    "padding:.4rem;font-size:1rem}button{margin-top:.5rem;padding:.4rem 1.2rem;font-size:1rem}.verdict{padding:1rem;"
    "border-radius:.5rem;margin:1rem 0}.valid{background:#e6f4ea;border:2px solid #1e7e34}"
    ".altered{background:#fdecea;border:2px solid #b00020}.unknown,.error{background:#fff8e1;"
    "border:2px solid #b26a00}dt{font-weight:bold}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
UNAVAILABLE = "발급기관 시스템이 응답하지 않습니다. 잠시 후 다시 시도해 주세요."
VERDICTS = {
    "valid": ("유효한 증명서", "발급기관이 발급한 그대로의 증명서입니다."),
    "altered": ("위조 또는 변조", "발급 후 내용이 바뀌었거나 위조된 증명서입니다. 제출받은 곳에서 사용하지 마십시오."),
    "unknown": ("확인할 수 없음", "입력하신 발급번호와 검증코드에 해당하는 증명서를 찾을 수 없습니다."),
}


class VerifyPage(resource.Resource):
    isLeaf = True

    def __init__(self, verify: Verify, verify_pdf: VerifyPdf, *, limiter: TokenBuckets | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.verify = verify
        self.verify_pdf = verify_pdf
        self.limiter = limiter if limiter is not None else TokenBuckets()

    def render_GET(self, request: server.Request) -> bytes | int:
        no, code = _arg(request, b"no"), _arg(request, b"code")
        if not no and not code:
            return self._page(request, 200, "", "", "")
        return self._check(request, no, code, None)

    def render_POST(self, request: server.Request) -> bytes | int:
        if getattr(request, "too_large", False):
            return self._page(request, 413, _notice("error", "파일이 너무 큽니다", "PDF 파일이 너무 큽니다."), "", "")
        pdf = (request.args or {}).get(b"pdf", [b""])[0]
        return self._check(request, _arg(request, b"no"), _arg(request, b"code"), pdf or None)

    def _check(self, request: server.Request, no: str, code: str, pdf: bytes | None) -> bytes | int:
        peer = request.getClientAddress()
        wait = self.limiter.take(getattr(peer, "host", "?"))
        if wait is not None:
            request.setHeader(b"retry-after", str(wait).encode())
            return self._page(
                request, 429, _notice("error", "잠시 후 다시 시도해 주세요", too_many_message(wait)), no, code
            )
        if pdf is not None:
            if len(pdf) > MAX_PDF_BYTES:
                notice = _notice(
                    "error", "파일이 너무 큽니다", f"PDF 파일은 {MAX_PDF_BYTES:,}바이트까지 확인할 수 있습니다."
                )
                return self._page(request, 413, notice, no, code)
            d: defer.Deferred[Any] = defer.maybeDeferred(self.verify_pdf, pdf)
        else:
            number, checked_code = issue_number(no), verification_code(code)
            if number is None or checked_code is None:
                return self._page(request, 200, _verdict(Verdict.of("unknown")), no, code)
            d = defer.maybeDeferred(self.verify, number, checked_code)
        d.addCallback(lambda verdict: (200, _verdict(verdict)))
        d.addErrback(_failed)
        d.addCallback(lambda answer: self._finish(request, answer[0], answer[1], no, code))
        return NOT_DONE_YET

    def _finish(self, request: server.Request, status: int, notice: str, no: str, code: str) -> None:
        if request.finished or getattr(request, "_disconnected", False):
            return
        request.write(self._page(request, status, notice, no, code))
        request.finish()

    def _page(self, request: server.Request, status: int, notice: str, no: str, code: str) -> bytes:
        request.setResponseCode(status)
        for name, value in (
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-security-policy", CSP.encode()),
            (b"referrer-policy", b"no-referrer"),
            (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
        ):
            request.setHeader(name, value)
        return render(notice, no, code).encode("utf-8")


def _arg(request: server.Request, name: bytes) -> str:
    values: list[bytes] = (request.args or {}).get(name) or []
    return values[0].decode("utf-8", "replace")[:60] if values else ""


def _failed(failure: Failure) -> tuple[int, str]:
    error = failure.value
    if isinstance(error, UnreadableDocument):
        return 422, _notice("error", "PDF 파일을 읽을 수 없습니다", str(error.message))
    if isinstance(error, ServiceUnavailable):
        return 503, _notice(
            "error", "지금은 확인할 수 없습니다", "발급기관 시스템이 응답하지 않습니다. 잠시 후 다시 시도해 주세요."
        )
    log.error("certificate check failed", extra={"traceback": failure.getTraceback()})
    return 500, _notice("error", "확인하지 못했습니다", "잠시 후 다시 시도해 주세요.")


def _notice(kind: str, title: str, text: str) -> str:
    return (
        f'<section class="verdict {kind}" data-testid="verdict" data-verdict="{kind}" role="status">'
        f"<h2>{html.escape(title)}</h2><p>{html.escape(text)}</p></section>"
    )


def _verdict(verdict: Verdict) -> str:
    title, text = VERDICTS[verdict.verdict]
    if not verdict.valid:
        return _notice(verdict.verdict, title, text)
    facts = (("증명서", verdict.kind or ""), ("발급일", str(verdict.issued_on or "")), ("성명", verdict.name or ""))
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts)
    return (
        '<section class="verdict valid" data-testid="verdict" data-verdict="valid" role="status">'
        f"<h2>{html.escape(title)}</h2><p>{html.escape(text)}</p><dl>{rows}</dl></section>"
    )


def render(notice: str, no: str, code: str) -> str:
    """The whole page: the verdict (if any) above the two forms, ``no``/``code`` kept in the first."""
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>증명서 진위 확인</title><style>{STYLE}</style></head>
<body><main><h1>증명서 진위 확인</h1>
<p>증명서에 적힌 발급번호와 검증코드를 입력하거나, 받은 PDF 파일을 올려 위조·변조 여부를 확인하세요.</p>
{notice}
<form method="post" action="" data-testid="verify-code-form">
<label>발급번호 <input type="text" name="no" value="{html.escape(no)}" inputmode="numeric" autocomplete="off"
 placeholder="1234-5678-9012-3456" maxlength="40" required data-testid="issue-number"></label>
<label>검증코드 <input type="text" name="code" value="{html.escape(code)}" autocomplete="off" maxlength="40"
 placeholder="AB3DEF7H" required data-testid="verification-code"></label>
<button type="submit" data-testid="verify-code">확인</button></form>
<form method="post" action="" enctype="multipart/form-data" data-testid="verify-pdf-form">
<label>증명서 PDF 파일 <input type="file" name="pdf" accept="application/pdf" required data-testid="pdf"></label>
<button type="submit" data-testid="verify-pdf">파일로 확인</button></form>
<p>증명서에 표시되는 성명은 일부를 가려서 보여 드립니다.</p></main></body></html>
"""


def page_for(tools: AgentTools | None, limiter: TokenBuckets | None = None) -> VerifyPage:
    """The page over the agent tools' issuer (its calls on the tool thread pool); without one, every check
    answers 지금은 확인할 수 없습니다 (503)."""

    def unavailable() -> defer.Deferred[Verdict]:
        return defer.fail(CertificateIssuerUnavailable("증명서 발급 시스템이 설정되지 않았습니다", reason="disabled"))

    def verify(no: str, code: str) -> defer.Deferred[Verdict]:
        if tools is None or tools.certificates is None:
            return unavailable()
        d: defer.Deferred[Any] = tools.call(tools.certificates.verify, no, code)
        return d

    def verify_pdf(pdf: bytes) -> defer.Deferred[Verdict]:
        if tools is None or tools.certificates is None:
            return unavailable()
        d: defer.Deferred[Any] = tools.call(tools.certificates.verify_pdf, pdf)
        return d

    return VerifyPage(verify, verify_pdf, limiter=limiter)

"""The console shell's work area: the call panel, the screen-pop with the timeline, and the side panels (case
work, the 신문고 inbox, the tools) as static, labelled markup that the page's modules fill from the API.

Plain functions of their inputs; no inline script or style (the Content-Security-Policy forbids both). Every
control has a label and the ``data-testid`` the issue names for tests outside the code; shortcuts are
announced with ``aria-keyshortcuts`` and listed in the help overlay (``keys.js`` binds them).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: (key, what it does) — the help overlay's list; keys.js binds the same keys. Alt+letter never clashes with
#: the browser's own (Alt+D, Alt+F and Alt+E are left to it), and plain keys act only outside text fields.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Alt+R", "대기 (전화 받기 시작)"),
    ("Alt+N", "이석 (선택한 사유로)"),
    ("Alt+H", "보류 / 보류 해제"),
    ("Alt+X", "통화 종료"),
    ("Alt+T", "호 전환 창 열기"),
    ("Alt+M", "메모 입력으로 이동"),
    ("Alt+W", "후처리 코드로 이동"),
    ("Alt+S", "공공서비스 검색으로 이동"),
    ("Alt+I", "민원함 열기"),
    ("?", "단축키 도움말 (입력 칸 밖에서)"),
    ("Esc", "열린 창 닫기"),
)


def _call_panel() -> str:
    return """<section class="panel call" aria-labelledby="call-title">
<h2 id="call-title">통화</h2>
<p id="call-none" class="muted">진행 중인 통화가 없습니다.</p>
<dl id="call-info" class="facts" hidden>
<dt>대기열</dt><dd id="call-queue" data-testid="call-queue"></dd>
<dt>발신 번호</dt><dd id="call-caller" data-testid="call-caller"></dd>
<dt>대기 시간</dt><dd id="call-wait" data-testid="call-wait"></dd>
<dt>통화 상태</dt><dd id="call-status" data-testid="call-status"></dd>
</dl>
<div id="call-handoff" class="handoff" data-testid="handoff-summary" hidden></div>
<div class="controls">
<button type="button" id="hold" data-testid="hold" aria-keyshortcuts="Alt+H" disabled>보류</button>
<button type="button" id="hangup" data-testid="hangup" aria-keyshortcuts="Alt+X" disabled>통화 종료</button>
<button type="button" id="transfer" data-testid="transfer" aria-keyshortcuts="Alt+T" disabled
 aria-controls="transfer-form" aria-expanded="false">호 전환</button>
<button type="button" id="consult-complete" data-testid="consult-complete" hidden>전환 완료</button>
<button type="button" id="consult-cancel" data-testid="consult-cancel" hidden>협의 취소</button>
</div>
<p id="call-error" class="error" role="alert" data-testid="call-error"></p>
<form id="transfer-form" class="sub" hidden>
<fieldset><legend>전환 방식</legend>
<label><input type="radio" name="mode" value="warm" checked> 협의 후 전환</label>
<label><input type="radio" name="mode" value="blind"> 바로 전환</label></fieldset>
<label for="transfer-target">대상</label>
<select id="transfer-target" name="target" data-testid="transfer-target">
<option value="center">다른 센터 (안내 메뉴)</option><option value="queue">센터의 대기열</option>
<option value="agent">상담사 지정</option></select>
<label for="transfer-center">센터</label>
<select id="transfer-center" name="to_center" data-testid="transfer-center"></select>
<label for="transfer-queue">대기열 (스킬)</label>
<input id="transfer-queue" name="to_queue" data-testid="transfer-queue" value="general" autocomplete="off">
<label for="transfer-agent">상담사 아이디</label>
<input id="transfer-agent" name="to_agent" data-testid="transfer-agent" autocomplete="off">
<label for="transfer-summary">인계 요약 (필수: 받는 상담사가 먼저 봅니다)</label>
<textarea id="transfer-summary" name="summary" data-testid="transfer-summary" required maxlength="2000"
 rows="3"></textarea>
<div class="controls"><button type="submit" data-testid="transfer-submit">전환</button>
<button type="button" id="transfer-close" class="secondary">닫기</button></div>
</form>
<form id="wrap-up-form" class="sub" data-testid="wrap-up-form" hidden>
<h3>후처리 <span id="wrap-up-timer" class="since" data-testid="wrap-up-timer"></span></h3>
<label for="wrap-up-code">후처리 코드</label>
<select id="wrap-up-code" name="wrap_up_code" data-testid="wrap-up-code" aria-keyshortcuts="Alt+W" required>
</select>
<label for="wrap-up-notes">상담 내용 (통화 기록에 남습니다)</label>
<textarea id="wrap-up-notes" name="notes" data-testid="wrap-up-notes" rows="3" maxlength="20000"></textarea>
<div class="controls"><button type="submit" data-testid="wrap-up-done">후처리 완료</button></div>
<p id="wrap-up-error" class="error" role="alert"></p>
</form>
</section>"""


def _screen_pop() -> str:
    return """<section class="panel pop" data-testid="screen-pop" aria-labelledby="pop-title">
<h2 id="pop-title">고객</h2>
<p id="pop-empty" class="muted">통화가 연결되면 고객의 이력이 여기에 나타납니다.</p>
<div id="pop-citizen" data-testid="pop-citizen"></div>
<div id="pop-candidates" data-testid="pop-candidates"></div>
<form id="verify-form" class="sub" data-testid="verify-form" hidden>
<h3>본인 확인</h3>
<p class="muted">다른 기관의 상세 이력은 본인 확인 뒤에만 보입니다.</p>
<label for="verify-rrn">주민등록번호 (고객이 불러 준 번호)</label>
<input id="verify-rrn" name="resident_number" data-testid="verify-rrn" autocomplete="off" inputmode="numeric"
 type="password" maxlength="14">
<div class="controls"><button type="submit" data-testid="verify-submit">확인</button>
<button type="button" id="verify-sms" class="secondary" data-testid="verify-sms">문자 인증번호 보내기</button></div>
<label for="verify-code">문자 인증번호</label>
<input id="verify-code" name="code" data-testid="verify-code" autocomplete="one-time-code" inputmode="numeric"
 maxlength="8">
<div class="controls"><button type="button" id="verify-code-submit" data-testid="verify-code-submit">인증번호 확인
</button></div>
<p id="verify-error" class="error" role="alert"></p>
</form>
<div id="pop-case" class="case-line">사건 <strong id="case-number" data-testid="case-number"></strong>
<span id="case-status" data-testid="case-status"></span></div>
<div id="pop-offers" data-testid="pop-offers"></div>
<h3 id="timeline-title">이력</h3>
<ol id="timeline" data-testid="timeline" aria-labelledby="timeline-title"></ol>
<details class="lookup"><summary>다른 고객 조회 (사유 필요, 조회 기록이 남습니다)</summary>
<form id="lookup-form" data-testid="lookup-form">
<label for="lookup-phone">전화번호</label>
<input id="lookup-phone" data-testid="lookup-phone" inputmode="tel" autocomplete="off" maxlength="20" required>
<label for="lookup-reason">조회 사유</label>
<input id="lookup-reason" data-testid="lookup-reason" maxlength="200" required>
<div class="controls"><button type="submit" data-testid="lookup-submit">조회</button></div>
<p id="lookup-error" class="error" role="alert"></p>
<ul id="lookup-result" data-testid="lookup-result" class="plain"></ul>
</form></details>
</section>"""


def _case_panel() -> str:
    return """<div id="panel-case" role="tabpanel" aria-labelledby="tab-case" class="tabpanel">
<label for="note-input">메모 (사건에 바로 남습니다)</label>
<textarea id="note-input" data-testid="note-input" rows="4" maxlength="20000" aria-keyshortcuts="Alt+M"></textarea>
<div class="controls"><button type="button" id="note-save" data-testid="note-save">메모 저장</button></div>
<h3>분류</h3>
<div id="category-suggestions" data-testid="category-suggestions" class="chips"></div>
<label for="category-input">분류</label>
<input id="category-input" data-testid="category-input" maxlength="100" autocomplete="off">
<div class="controls"><button type="button" id="category-save" data-testid="category-save">분류 저장</button></div>
<h3>사건 상태</h3>
<div class="controls">
<button type="button" data-status="resolved" data-testid="case-resolve">해결</button>
<button type="button" data-status="closed" data-testid="case-close">종결</button>
<button type="button" data-status="reopened" data-testid="case-reopen" class="secondary">재개</button></div>
<h3>다시 전화하기 예약</h3>
<form id="callback-form" data-testid="callback-form">
<label for="callback-start">시작 (한국 시간)</label><input id="callback-start" type="datetime-local" required>
<label for="callback-end">끝 (한국 시간)</label><input id="callback-end" type="datetime-local" required>
<label for="callback-number">번호</label>
<select id="callback-number" data-testid="callback-number"><option value="calling">지금 건 번호</option></select>
<label for="callback-reason">사유</label><input id="callback-reason" maxlength="60" required>
<div class="controls"><button type="submit" data-testid="callback-save">예약</button></div>
</form>
<h3>다른 센터로 인계</h3>
<form id="handoff-form" data-testid="handoff-form">
<label for="handoff-center">센터</label><select id="handoff-center" data-testid="handoff-center"></select>
<label for="handoff-reason">사유</label><input id="handoff-reason" maxlength="200" required>
<label for="handoff-summary">인계 요약 (필수)</label>
<textarea id="handoff-summary" rows="3" maxlength="4000" required></textarea>
<div class="controls"><button type="submit" data-testid="handoff-save">인계</button></div>
</form>
<p id="work-error" class="error" role="alert" data-testid="work-error"></p>
<p id="work-done" class="done" role="status" data-testid="work-done"></p>
</div>"""


def work_area() -> str:
    """The main element's content below the header bar."""
    tabs = """<div class="tabs" role="tablist" aria-label="업무">
<button type="button" role="tab" id="tab-case" aria-controls="panel-case" aria-selected="true">상담 기록</button>
<button type="button" role="tab" id="tab-inbox" aria-controls="panel-inbox" aria-selected="false"
 tabindex="-1" aria-keyshortcuts="Alt+I">민원함 <span id="inbox-count" class="count"></span></button>
<button type="button" role="tab" id="tab-tools" aria-controls="panel-tools" aria-selected="false"
 tabindex="-1">도구</button></div>"""
    inbox = """<div id="panel-inbox" role="tabpanel" aria-labelledby="tab-inbox" class="tabpanel" data-testid="inbox"
 hidden></div>"""
    tools = """<div id="panel-tools" role="tabpanel" aria-labelledby="tab-tools" class="tabpanel" hidden>
<section id="tool-services" data-testid="tool-services" aria-label="공공서비스 검색과 자격 확인"></section>
<section id="tool-certificates" data-testid="tool-certificates" aria-label="증명서 재발급"></section>
<section id="tool-bills" data-testid="tool-bills" aria-label="고지서 조회"></section></div>"""
    side = f"""<section class="panel side" aria-label="업무 도구">{tabs}{_case_panel()}{inbox}{tools}</section>"""
    return f"""<h1 class="visually-hidden">상담 콘솔</h1><div class="columns">
<div class="column">{_call_panel()}</div><div class="column">{_screen_pop()}</div>
<div class="column">{side}</div></div>"""


def help_overlay(shortcuts: Sequence[tuple[str, str]] = SHORTCUTS) -> str:
    rows = "".join(f'<tr><th scope="row"><kbd>{escape(k)}</kbd></th><td>{escape(v)}</td></tr>' for k, v in shortcuts)
    return f"""<div id="help" class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title"
 data-testid="help" hidden><div class="dialog"><h2 id="help-title">단축키</h2>
<table><caption class="visually-hidden">단축키 목록</caption><tbody>{rows}</tbody></table>
<div class="controls"><button type="button" id="help-close">닫기</button></div></div></div>"""

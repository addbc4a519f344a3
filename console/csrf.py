"""CSRF tokens for the console's login form, which comes before any session exists.

The login page gives the browser a random pre-session nonce in an HttpOnly, SameSite=Strict cookie and puts
a token in the form: the issue time and an HMAC-SHA256, under a server key, of the nonce and that time. A
login POST must bring both, matching and fresh. Another site can neither read the form nor make the browser
send the cookie, and a planted cookie is useless without the key. After login the forms use the session's own
random CSRF token instead (``ConsoleSession.csrf``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PRE_SESSION_COOKIE = "sori_console_pre"
FIELD = "csrf"


class LoginForms:
    def __init__(self, key: bytes | None = None, lifetime_s: float = 2 * 60 * 60) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)
        self.lifetime_s = lifetime_s

    @staticmethod
    def nonce() -> str:
        return secrets.token_urlsafe(24)

    def issue(self, nonce: str, now: float) -> str:
        stamp = format(int(now), "x")
        return f"{stamp}-{self._mac(nonce, stamp)}"

    def check(self, nonce: str | None, token: str | None, now: float) -> bool:
        stamp, _, mac = (token or "").partition("-")
        if not nonce or not mac:
            return False
        try:
            age = now - int(stamp, 16)
        except ValueError:
            return False
        return 0 <= age <= self.lifetime_s and hmac.compare_digest(mac, self._mac(nonce, stamp))

    def _mac(self, nonce: str, stamp: str) -> str:
        message = f"console-login\x00{nonce}\x00{stamp}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

"""The login form's CSRF token, bound to a pre-session cookie and signed with a server key.

Before anyone logs in there is no session to tie a token to, so the login page sets a random nonce in an
HttpOnly, SameSite=Strict cookie and puts ``<issued>.<HMAC(key, nonce.issued)>`` in the form. A POST is
accepted only with both, matching and younger than ``max_age_s``: another site can neither read the form's
token nor make the browser send the cookie, and a cookie planted by a sibling host is useless without the
key's signature over it. The key is random per server process unless one is given (a restart makes an open
login form ask once more).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

NONCE_COOKIE = "sori_login_nonce"
FIELD = "csrf"


class LoginCsrf:
    def __init__(self, key: bytes | None = None, max_age_s: int = 7200, clock: Callable[[], float] = time.time) -> None:
        self.key = key or secrets.token_bytes(32)
        self.max_age_s = max_age_s
        self.clock = clock

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    def token(self, nonce: str) -> str:
        issued = str(int(self.clock()))
        return f"{issued}.{self._sign(nonce, issued)}"

    def valid(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token or "." not in token:
            return False
        issued, signature = token.split(".", 1)
        if not issued.isdigit() or not 0 <= self.clock() - int(issued) <= self.max_age_s:
            return False
        return hmac.compare_digest(signature, self._sign(nonce, issued))

    def _sign(self, nonce: str, issued: str) -> str:
        return hmac.new(self.key, f"{nonce}.{issued}".encode(), hashlib.sha256).hexdigest()

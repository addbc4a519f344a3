"""Server-side console sessions with ASVS level 2 rules; pure (no I/O), every time handed in by the caller.

A login opens a session under a new random id (``secrets.token_urlsafe(32)``) that maps to the agent's API
token, the viewer, a per-session CSRF token for the console's forms, and two times: when it was created and
when the agent last gave input. Only the caller knows which requests are input (page loads and form posts are;
the push stream and its heartbeats are not), so it says so: ``resolve(..., input=True)`` or ``touch``.

Expiry: a session ends ``idle_s`` (30 min) after the agent's last input, or ``absolute_s`` (10 h) after it
was created, whichever comes first — except while the agent is on a call. Exactly how: every check
(``resolve``, ``sweep``) asks ``on_call(agent_id)``; while it says yes the session is kept whatever its
deadlines, and the check records ``call_seen = now``. The idle deadline counts from the later of the last input and the
last check that saw the agent on a call, so an idle expiry that fell mid-call moves to 30 minutes after the
call was last seen (talking is work, even without a click). The absolute limit is only postponed: the first
check that finds the agent off the call ends the session. Checks happen on every request and on ``sweep``,
which the composition root runs every minute, so "the call ended" is known to within that minute.

Ended sessions (logged out, expired, evicted from the bounded store) leave their API tokens in a queue that
the web layer drains (``revocations``) and revokes through the accounts port: logout revokes both.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass

from console.ports import OnCall, Viewer

IDLE_S = 30 * 60
ABSOLUTE_S = 10 * 60 * 60
MAX_SESSIONS = 20_000


@dataclass
class ConsoleSession:
    """One logged-in console; ``api_token`` never leaves the server."""

    session_id: str
    api_token: str
    viewer: Viewer
    csrf: str
    created: float
    last_input: float
    call_seen: float | None = None


class ConsoleSessions:
    def __init__(
        self,
        on_call: OnCall,
        *,
        idle_s: float = IDLE_S,
        absolute_s: float = ABSOLUTE_S,
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        self.on_call = on_call
        self.idle_s = idle_s
        self.absolute_s = absolute_s
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, ConsoleSession] = OrderedDict()  # oldest first
        self._by_agent: dict[int, set[str]] = {}
        self._revoke: list[str] = []

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, api_token: str, viewer: Viewer, now: float) -> ConsoleSession:
        """A new session under a new id (never reuse the browser's old one); the oldest go past the bound."""
        session = ConsoleSession(secrets.token_urlsafe(32), api_token, viewer, secrets.token_urlsafe(32), now, now)
        self._sessions[session.session_id] = session
        self._by_agent.setdefault(viewer.agent_id, set()).add(session.session_id)
        while len(self._sessions) > self.max_sessions:
            self.close(next(iter(self._sessions)))
        return session

    def resolve(self, session_id: str, now: float, *, input: bool) -> ConsoleSession | None:
        """The live session behind ``session_id`` (None when unknown or expired); ``input`` restarts idle time."""
        session = self._sessions.get(session_id)
        if session is None or not self._alive(session, now):
            return None
        if input:
            session.last_input = max(session.last_input, now)
        return session

    def touch(self, session_id: str, now: float) -> bool:
        """The agent gave input in this session now; False when the session is gone."""
        return self.resolve(session_id, now, input=True) is not None

    def close(self, session_id: str, *, queue: bool = True) -> ConsoleSession | None:
        """Log out: the session ends and its API token is queued for revocation (``queue=False``: the caller
        revokes it itself, e.g. before answering the logout)."""
        session = self._sessions.pop(session_id, None)
        if session is None:
            return None
        ids = self._by_agent.get(session.viewer.agent_id, set())
        ids.discard(session_id)
        if not ids:
            self._by_agent.pop(session.viewer.agent_id, None)
        if queue:
            self._revoke.append(session.api_token)
        return session

    def agent_signed_in(self, agent_id: int, now: float) -> bool:
        """Has this agent a live session (a check, not input)? For the push stream's heartbeat."""
        return any(self.resolve(sid, now, input=False) for sid in list(self._by_agent.get(agent_id, ())))

    def sweep(self, now: float) -> int:
        """Check every session (recording who is on a call, dropping the expired); how many ended."""
        before = len(self._sessions)
        for session in list(self._sessions.values()):
            self._alive(session, now)
        return before - len(self._sessions)

    def revocations(self) -> list[str]:
        """The API tokens of sessions ended since the last call, for the caller to revoke."""
        tokens, self._revoke = self._revoke, []
        return tokens

    def expires_at(self, session: ConsoleSession) -> float:
        """When the session would end if the agent gives no more input and takes no call."""
        active = max(session.last_input, session.call_seen or session.last_input)
        return min(active + self.idle_s, session.created + self.absolute_s)

    def _alive(self, session: ConsoleSession, now: float) -> bool:
        if self.on_call(session.viewer.agent_id):
            session.call_seen = max(session.call_seen or now, now)
            return True
        if now < self.expires_at(session):
            return True
        self.close(session.session_id)
        return False

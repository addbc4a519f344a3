"""Agent bots: each one is an agent who logs in through the HTTP API, becomes ready, and handles the calls
its softphone answers as an agent at the console would: talks for a sampled handle time, transfers some
calls (blind, with a summary) or hangs up, waits for the contact to end, writes the wrap-up notes and
becomes ready again.

A bot is a thread that polls the API (``GET /api/v1/telephony/agents/me``) twice a second; it never
touches the database or the desk directly, so it can drive a system running elsewhere.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from telephony.sim.plan import BotBrain

log = logging.getLogger("sori.sim.bots")


class ApiError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


class ApiClient:
    """A small JSON client of the Sori HTTP API for one agent (bearer token)."""

    def __init__(self, base_url: str, login: str, password: str, timeout: float = 15.0) -> None:
        self.base = base_url.rstrip("/")
        self.login_name = login
        self.password = password
        self.timeout = timeout
        self.token: str | None = None

    def login(self) -> None:
        reply = self.send("POST", "/api/v1/auth/login", {"login": self.login_name, "password": self.password})
        self.token = str(reply["token"])

    def get(self, path: str) -> Any:
        return self.send("GET", path)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("content-type", "application/json")
        if self.token is not None:
            request.add_header("authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, error.read().decode("utf-8", "replace")) from None
        return json.loads(raw) if raw else None


class AgentBot(threading.Thread):
    def __init__(
        self,
        api: ApiClient,
        brain: BotBrain,
        stop: threading.Event,
        poll_s: float = 0.5,
        on_done: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        super().__init__(name=f"bot-{api.login_name}", daemon=True)
        self.api = api
        self.brain = brain
        self.stop_event = stop
        self.poll_s = poll_s
        self.on_done = on_done
        self.handled = 0
        self.transferred = 0
        self._seen: set[int] = set()
        self._codes: list[str] | None = None  # the center's wrap-up codes, read once

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self._session()
            except (ApiError, OSError, ValueError) as error:
                log.warning("bot %s: %s; retrying", self.api.login_name, error)
                self.stop_event.wait(3.0)

    def _session(self) -> None:
        self.api.login()
        self._ready()
        while not self.stop_event.wait(self.poll_s):
            view = self.api.get("/api/v1/telephony/agents/me")
            call = view.get("call")
            if view["state"] == "logged-out":
                self._ready()
            elif call and call.get("answered") and call.get("interaction_id") and not call.get("consulting"):
                interaction = int(call["interaction_id"])
                if interaction not in self._seen:
                    self._seen.add(interaction)
                    self._handle(call, interaction)
            elif view["state"] == "wrap-up":
                self._ready()
        try:
            self.api.send("PUT", "/api/v1/telephony/agents/me/state", {"state": "logged-out"})
        except (ApiError, OSError) as error:
            log.info("bot %s logout: %s", self.api.login_name, error)

    def _ready(self) -> None:
        self.api.send("PUT", "/api/v1/telephony/agents/me/state", {"state": "ready"})

    def _handle(self, call: dict[str, Any], interaction: int) -> None:
        decision = self.brain.decide(str(call["center"]))
        talked = 0.0
        while talked < decision.talk_s and not self.stop_event.is_set():
            self.stop_event.wait(self.poll_s)
            talked += self.poll_s
            current = self.api.get("/api/v1/telephony/agents/me").get("call")
            if not current or current.get("interaction_id") != interaction:
                break  # the caller hung up (or the line dropped)
        else:
            try:
                if decision.transfer_to is not None:
                    center, queue = decision.transfer_to
                    self.api.send("POST", "/api/v1/telephony/calls/current/transfer",
                                  {"mode": "blind", "to_center": center, "to_queue": queue,
                                   "summary": decision.notes})  # fmt: skip
                    self.transferred += 1
                else:
                    self.api.send("POST", "/api/v1/telephony/calls/current/hangup")
            except ApiError as error:  # the caller hung up meanwhile: nothing to transfer or end
                log.info("bot %s: %s", self.api.login_name, error)
        self._wrap_up(interaction, decision.notes, decision.wrap_up_code)
        self.handled += 1
        if self.on_done is not None:
            self.on_done(self.api.login_name, {"interaction_id": interaction, "transfer": decision.transfer_to})

    def _wrap_up(self, interaction: int, notes: str, code: str) -> None:
        """Once the desk has ended the contact, write the notes with a wrap-up code of the agent's center (the
        planned one when the center has it, else its first); then ready for the next call."""
        for _ in range(40):
            found = self.api.get(f"/api/v1/interactions/{interaction}")
            if found.get("completed_at") is not None:
                return  # a dropped or transferred contact needs no wrap-up by this agent
            if found.get("ended_at") is not None:
                break
            self.stop_event.wait(0.25)
        self.stop_event.wait(self.brain.policy.wrapup_s)
        try:
            if self._codes is None:
                self._codes = [str(c["code"]) for c in self.api.get("/api/v1/wrap-up-codes")["codes"]]
            chosen = code if code in self._codes or not self._codes else self._codes[0]
            self.api.send("POST", f"/api/v1/interactions/{interaction}/wrap-up",
                          {"notes": notes, "wrap_up_code": chosen})  # fmt: skip
        except ApiError as error:
            log.info("bot %s wrap-up: %s", self.api.login_name, error)

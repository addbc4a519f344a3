"""The HTTP adapter of ``BillLedger``: the bill ledger's API as ``docs/integrations/bills.openapi.json`` states
it, through the shared ``JsonClient`` (timeouts, a circuit breaker; reads retried, a resend retried only with its
idempotency key, which the ledger answers with the first resend). Blocking: it runs on the control process's
tool thread pool.

The citizen travels in the ``X-Citizen-Ref`` header, never in the URL. The ledger's refusals become the port's
typed errors; an answer that does not parse is the ledger failing (``BillLedgerUnavailable``, reason
``protocol``). Headers carry ASCII only, so an idempotency key of other characters is refused here as invalid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import ValidationError

from integrations.bills import wire
from integrations.bills.model import Channel, Notice, Status
from integrations.bills.outbox import Resend, key_is_valid
from integrations.bills.port import (
    Bill,
    BillLedgerUnavailable,
    ChannelNotOnFile,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    NoticeNotFound,
)
from integrations.http_client import JsonClient, Rejection
from integrations.settings import ToolConfig
from kernel.errors import DomainError, ValidationFailed

T = TypeVar("T")
SYSTEM = "고지·납부 조회 시스템"
_CITIZEN = re.compile(wire.CITIZEN_PATTERN)
_NOTICE_ID = re.compile(wire.NOTICE_ID_PATTERN)
_ASCII_KEY = re.compile(r"^[\x20-\x7e]+$")


class _LedgerClient:
    """The shared client, with the per-call headers this API takes (the citizen, a resend's key)."""

    def __init__(self, client: JsonClient) -> None:
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        citizen_ref: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = {wire.CITIZEN_HEADER: citizen_ref}
        return self.client.request(method, path, params=params, body=body, headers=headers,
                                   idempotency_key=idempotency_key)  # fmt: skip

    def failure(self, reason: str) -> BillLedgerUnavailable:
        error = self.client.failure(reason)
        assert isinstance(error, BillLedgerUnavailable)
        return error


class HttpBillLedger:
    def __init__(self, base_url: str, api_key: str, config: ToolConfig) -> None:
        self.client = _LedgerClient(
            JsonClient(base_url, api_key, config, system=SYSTEM, unavailable=BillLedgerUnavailable)
        )

    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        code = wire.KIND_CODES.get(bill_kind)
        if code is None:
            return None  # no notice of a kind the ledger does not issue
        try:
            body = self.client.call("GET", f"/v1/bills/{code}", _ref(citizen_ref))
        except Rejection as rejected:
            if rejected.code == "bill-not-found":
                return None
            raise _refused(rejected) from None
        return self._read(wire.bill_in, body)

    def notices(self, citizen_ref: str, *, status: Status | None = None) -> list[Notice]:
        params = {"status": str(status)} if status is not None else None
        try:
            body = self.client.call("GET", "/v1/notices", _ref(citizen_ref), params=params)
        except Rejection as rejected:
            raise _refused(rejected) from None
        return self._read(wire.notices_in, body)

    def notice(self, citizen_ref: str, notice_id: str) -> Notice | None:
        if not _NOTICE_ID.fullmatch(notice_id):
            return None  # the ledger's ids never take that form
        try:
            body = self.client.call("GET", _notice_path(notice_id), _ref(citizen_ref))
        except Rejection as rejected:
            if rejected.code == "bill-notice-not-found":
                return None
            raise _refused(rejected) from None
        return self._read(wire.notice_in, body)

    def resend(self, citizen_ref: str, notice_id: str, channel: Channel | None, idempotency_key: str) -> Resend:
        if not (key_is_valid(idempotency_key) and _ASCII_KEY.fullmatch(idempotency_key)):
            raise IdempotencyKeyInvalid()
        body = {"channel": str(channel) if channel is not None else None}
        try:
            answer = self.client.call(
                "POST", f"{_notice_path(notice_id)}/resends", _ref(citizen_ref), body=body,
                idempotency_key=idempotency_key,
            )  # fmt: skip
        except Rejection as rejected:
            raise _refused(rejected, notice_id, channel, idempotency_key) from None
        return self._read(wire.resend_in, answer)

    def resends(self, citizen_ref: str, notice_id: str) -> list[Resend]:
        try:
            body = self.client.call("GET", f"{_notice_path(notice_id)}/resends", _ref(citizen_ref))
        except Rejection as rejected:
            raise _refused(rejected, notice_id) from None
        return self._read(wire.resends_in, body)

    def _read(self, parse: Callable[[Any], T], body: Any) -> T:
        try:
            return parse(body)
        except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
            raise self.client.failure("protocol") from None


def _ref(citizen_ref: str) -> str:
    if not _CITIZEN.fullmatch(citizen_ref):
        raise ValidationFailed("연계 기관에 보낼 수 없는 민원인 식별 정보입니다", parameter=wire.CITIZEN_HEADER)
    return citizen_ref


def _notice_path(notice_id: str) -> str:
    if not _NOTICE_ID.fullmatch(notice_id):
        raise NoticeNotFound(notice_id)  # the ledger's ids never take that form
    return f"/v1/notices/{quote(notice_id, safe='')}"


def _refused(rejected: Rejection, notice_id: str = "", channel: Channel | None = None, key: str = "") -> DomainError:
    """The ledger's refusal as the port's error; one the port does not know is the ledger misbehaving."""
    code = rejected.code
    if code == "bill-notice-not-found":
        return NoticeNotFound(notice_id)
    if code == "bill-channel-not-on-file":
        named = rejected.details.get("channel")
        return ChannelNotOnFile(Channel(named) if named in {c.value for c in Channel} else channel or Channel.POST)
    if code == "bill-idempotency-key-reused":
        return IdempotencyKeyReused(key)
    if code == "bill-idempotency-key-invalid":
        return IdempotencyKeyInvalid()
    if rejected.status in (400, 422):
        return ValidationFailed(rejected.message or "the bill ledger refused the request", remote_error=code)
    return BillLedgerUnavailable(
        f"{SYSTEM}이(가) 요청을 거절했습니다 ({code}).", reason="protocol", status=rejected.status
    )

"""The certificate kinds Sori can have issued: what each is called, who issues it, its fee on each channel and the
delivery methods it allows (pure).

The table is configuration: ``default_kinds()`` is the embedded default, ``KindTable.from_dict`` loads another
(from a config file or the reference service) in the shape ``KindTable.to_dict`` writes.

Fees of the default table are the published ones as of 2024-2025 (won per copy):
- 주민등록표 등본/초본: 주민등록법 시행규칙 [별표] 수수료 — 읍·면·동 방문 400원, 무인민원발급기 200원, 정부24 무료.
- 가족관계증명서/기본증명서: 가족관계의 등록 등에 관한 규칙 (대법원 전자가족관계등록시스템 안내) —
  방문 1,000원, 무인발급기 500원, 인터넷 무료.
- 건강보험자격득실확인서: 국민건강보험공단 — 무료 (방문, 팩스·우편 신청, 홈페이지 모두).
- 납세증명서, 소득금액증명, 사업자등록증명: 국세청 민원증명 — 무료 (홈택스, 세무서, 126 ARS 팩스 발급).
The ``phone`` (an agent issues it for the caller) and ``ivr`` (self-service reissue by post) channels are this
contact center's own: a kind without a fee for a channel is not offered on it. Likewise the delivery methods are
this project's policy, not a published rule: e-mail only for kinds the agencies already send by e-mail, fax where
the agency runs fax issuing (NHIS, NTS), post for all, and the 전자문서지갑 (``wallet``) for kinds 정부24 can put
in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from kernel.errors import ValidationFailed

Channel = Literal["online", "counter", "phone", "ivr"]
DeliveryMethod = Literal["email", "fax", "post", "wallet"]
CHANNELS: tuple[Channel, ...] = ("online", "counter", "phone", "ivr")
DELIVERY_METHODS: tuple[DeliveryMethod, ...] = ("email", "fax", "post", "wallet")
# The per-kind fields a certificate can show besides name, masked 주민등록번호 and purpose (see document.py).
DETAIL_FIELDS = ("address", "registration_base", "household_head", "insurance", "tax_status", "business")
_SLUG = re.compile(r"^[a-z][a-z0-9-]{1,40}$")


class KindTableInvalid(ValidationFailed):
    """A kind table (configuration) is malformed."""

    code = "certificate-kind-table-invalid"


@dataclass(frozen=True)
class CertificateKind:
    """One kind of certificate: ``fees`` maps each channel it is offered on to its fee in won."""

    id: str
    name: str
    agency: str
    fees: Mapping[Channel, int]
    deliveries: frozenset[DeliveryMethod]
    details: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    def fee(self, channel: Channel) -> int | None:
        """The fee on that channel, or None when the kind is not offered there."""
        return self.fees.get(channel)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "agency": self.agency,
            "fees": {channel: self.fees[channel] for channel in CHANNELS if channel in self.fees},
            "deliveries": [method for method in DELIVERY_METHODS if method in self.deliveries],
            "details": list(self.details),
            "aliases": list(self.aliases),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CertificateKind:
        try:
            kind_id, name, agency = str(data["id"]), str(data["name"]), str(data["agency"])
            fees = {str(channel): fee for channel, fee in dict(data["fees"]).items()}
            deliveries = [str(method) for method in data["deliveries"]]
            details = tuple(str(name) for name in data.get("details", ()))
            aliases = tuple(str(alias) for alias in data.get("aliases", ()))
        except (KeyError, TypeError, ValueError) as exc:
            raise KindTableInvalid(f"증명서 종류 설정이 올바르지 않습니다: {exc}") from exc
        if not _SLUG.match(kind_id):
            raise KindTableInvalid(f"증명서 종류 ID는 영문 소문자·숫자·하이픈이어야 합니다: {kind_id!r}")
        if not name.strip() or not agency.strip():
            raise KindTableInvalid(f"증명서 종류 {kind_id}의 이름과 발급기관이 필요합니다")
        for channel, fee in fees.items():
            if channel not in CHANNELS or isinstance(fee, bool) or not isinstance(fee, int) or fee < 0:
                raise KindTableInvalid(f"증명서 종류 {kind_id}의 수수료가 올바르지 않습니다: {channel}={fee!r}")
        if not deliveries or any(method not in DELIVERY_METHODS for method in deliveries):
            raise KindTableInvalid(f"증명서 종류 {kind_id}의 수령 방법이 올바르지 않습니다: {deliveries}")
        if any(detail not in DETAIL_FIELDS for detail in details):
            raise KindTableInvalid(f"증명서 종류 {kind_id}의 표시 항목이 올바르지 않습니다: {details}")
        return cls(
            kind_id,
            name,
            agency,
            cast("dict[Channel, int]", fees),
            frozenset(cast("list[DeliveryMethod]", deliveries)),
            details,
            aliases,
        )


class KindTable:
    """The kinds, looked up by id, Korean name or alias (the IVR asks by Korean name)."""

    def __init__(self, kinds: Iterable[CertificateKind]) -> None:
        self._kinds = tuple(kinds)
        self._by_key: dict[str, CertificateKind] = {}
        for kind in self._kinds:
            for key in (kind.id, kind.name, *kind.aliases):
                if key in self._by_key:
                    raise KindTableInvalid(f"증명서 종류 이름이 중복됩니다: {key}")
                self._by_key[key] = kind

    def __iter__(self) -> Iterator[CertificateKind]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def find(self, key: str) -> CertificateKind | None:
        """The kind whose id, name or alias is ``key`` (spaces ignored: "주민등록표등본" finds 주민등록표 등본)."""
        found = self._by_key.get(key)
        if found is None:
            compact = key.replace(" ", "")
            found = next((k for k in self._kinds if compact in {k.name.replace(" ", ""), k.id}), None)
        return found

    def to_dict(self) -> dict[str, Any]:
        return {"kinds": [kind.to_dict() for kind in self._kinds]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KindTable:
        """Load ``{"kinds": [{"id", "name", "agency", "fees": {channel: won}, "deliveries": [...]}, ...]}``."""
        kinds = data.get("kinds") if isinstance(data, Mapping) else None
        if not isinstance(kinds, list) or not kinds:
            raise KindTableInvalid("증명서 종류 설정에 kinds 목록이 필요합니다")
        return cls(CertificateKind.from_dict(kind) for kind in kinds)


def _kind(
    kind_id: str,
    name: str,
    agency: str,
    fees: Mapping[Channel, int],
    deliveries: Iterable[DeliveryMethod],
    details: Iterable[str],
    aliases: Iterable[str] = (),
) -> CertificateKind:
    return CertificateKind(kind_id, name, agency, dict(fees), frozenset(deliveries), tuple(details), tuple(aliases))


def default_kinds() -> KindTable:
    """The embedded default table (fees: see the module docstring)."""
    resident: Mapping[Channel, int] = {"online": 0, "counter": 400}
    family: Mapping[Channel, int] = {"online": 0, "counter": 1000}
    free_everywhere: Mapping[Channel, int] = {"online": 0, "counter": 0, "phone": 0, "ivr": 0}
    return KindTable(
        (
            _kind("resident-register-copy", "주민등록표 등본", "행정안전부", resident, ("post", "wallet"),
                  ("address", "household_head"), ("등본",)),
            _kind("resident-register-abstract", "주민등록표 초본", "행정안전부", resident, ("post", "wallet"),
                  ("address",), ("초본",)),
            _kind("family-relations", "가족관계증명서", "법원행정처", family, ("post", "wallet"),
                  ("registration_base",)),
            _kind("basic-certificate", "기본증명서", "법원행정처", family, ("post", "wallet"), ("registration_base",)),
            _kind("health-insurance-eligibility", "건강보험자격득실확인서", "국민건강보험공단", free_everywhere,
                  ("email", "fax", "post", "wallet"), ("insurance",), ("자격득실확인서",)),
            _kind("tax-payment", "납세증명서", "국세청", free_everywhere, ("email", "fax", "post", "wallet"),
                  ("address", "tax_status")),
            _kind("income-amount", "소득금액증명", "국세청", free_everywhere, ("email", "fax", "post", "wallet"),
                  ("address",)),
            _kind("business-registration", "사업자등록증명", "국세청", free_everywhere,
                  ("email", "fax", "post", "wallet"), ("business",)),
        )
    )  # fmt: skip

"""The catalog of Open311 services (bundled ``services.json``) and the jurisdictions that offer them.

A ``local`` service (roads, sanitation, city facilities) belongs to every 시·도 jurisdiction and is routed by
the request's region to that 시·도's center; a ``national`` one belongs to one institution and goes to its
fixed center. Jurisdictions are the institutions of the active centers (``jurisdiction_id`` is the
institution's name exactly as in ``sori/seed/centers.csv``).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from crm.open311.errors import JurisdictionNotFound, ServiceCodeNotFound
from kernel.centers import Center

GENERAL_CENTER = "ACRC110"  # 110 answers where no region is known and routes on


class Datatype(enum.StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


LIST_TYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})


@dataclass(frozen=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    variable: bool
    code: str
    datatype: Datatype
    required: bool
    datatype_description: str
    order: int
    description: str
    values: tuple[AttributeValue, ...] = ()

    def value_name(self, key: str) -> str:
        return next((v.name for v in self.values if v.key == key), key)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: tuple[str, ...]
    scope: str  # "local" or "national"
    category: str  # the analytics classifier's label (analytics.classify.routing)
    attributes: tuple[Attribute, ...] = ()
    center: str | None = None  # national: the center that answers
    institution: str | None = None  # national: its jurisdiction

    @property
    def metadata(self) -> bool:
        """The spec's ``metadata``: whether the service has attributes (a definition worth fetching)."""
        return bool(self.attributes)

    @property
    def local(self) -> bool:
        return self.scope == "local"

    def attribute(self, code: str) -> Attribute | None:
        return next((a for a in self.attributes if a.code == code), None)


@dataclass(frozen=True)
class Catalog:
    """The services, and the jurisdictions of the active centers: institution → its 시·도 (None: national)."""

    services: tuple[Service, ...]
    jurisdictions: Mapping[str, str | None] = field(default_factory=dict)
    regional_centers: Mapping[str, str] = field(default_factory=dict)  # 시·도 → center code (lowest wins)
    institutions: Mapping[str, str] = field(default_factory=dict)  # center code → institution

    def service(self, code: str) -> Service | None:
        return next((s for s in self.services if s.code == code), None)

    def knows(self, jurisdiction_id: str) -> bool:
        return jurisdiction_id in self.jurisdictions

    def region_of_jurisdiction(self, jurisdiction_id: str) -> str | None:
        return self.jurisdictions.get(jurisdiction_id)

    def offers(self, jurisdiction_id: str, service: Service) -> bool:
        if service.local:
            return self.jurisdictions.get(jurisdiction_id) is not None
        return service.institution == jurisdiction_id

    def institution_of(self, center_code: str) -> str:
        return self.institutions.get(center_code, center_code)


def load_catalog(centers: Iterable[Center] = ()) -> Catalog:
    """The bundled services with the jurisdictions of the active ``centers`` (none given: no jurisdictions)."""
    raw = json.loads(resources.files("crm.open311").joinpath("services.json").read_text(encoding="utf-8"))
    services = tuple(_service(item) for item in raw["services"])
    jurisdictions: dict[str, str | None] = {}
    regional: dict[str, str] = {}
    institutions: dict[str, str] = {}
    for center in sorted(centers, key=lambda c: c.code):
        if not center.active:
            continue
        institutions[center.code] = center.institution
        regional_center = center.region not in (None, "", "전국")
        if regional_center and center.region is not None:
            regional.setdefault(center.region, center.code)
            jurisdictions[center.institution] = center.region
        else:
            jurisdictions.setdefault(center.institution, None)
    return Catalog(services, jurisdictions, regional, institutions)


def _service(item: Mapping[str, Any]) -> Service:
    attributes = tuple(
        Attribute(
            variable=bool(a.get("variable", True)),
            code=str(a["code"]),
            datatype=Datatype(a["datatype"]),
            required=bool(a.get("required", False)),
            datatype_description=str(a.get("datatype_description") or ""),
            order=int(a.get("order", 1)),
            description=str(a["description"]),
            values=tuple(AttributeValue(str(v["key"]), str(v["name"])) for v in a.get("values", ())),
        )
        for a in item.get("attributes", ())
    )
    return Service(
        code=str(item["code"]),
        name=str(item["name"]),
        description=str(item["description"]),
        group=str(item["group"]),
        keywords=tuple(str(k) for k in item.get("keywords", ())),
        scope=str(item["scope"]),
        category=str(item["category"]),
        attributes=tuple(sorted(attributes, key=lambda a: a.order)),
        center=item.get("center"),
        institution=item.get("institution"),
    )


def list_services(catalog: Catalog, jurisdiction_id: str | None) -> list[Service]:
    """Every service, or those the jurisdiction offers; an unknown jurisdiction is ``JurisdictionNotFound``."""
    if jurisdiction_id is None:
        return list(catalog.services)
    if not catalog.knows(jurisdiction_id):
        raise JurisdictionNotFound("jurisdiction_id를 찾을 수 없습니다.", jurisdiction_id=jurisdiction_id[:100])
    return [s for s in catalog.services if catalog.offers(jurisdiction_id, s)]


def service_definition(catalog: Catalog, code: str, jurisdiction_id: str | None) -> Service:
    """The service ``code`` (of the jurisdiction, when one is given)."""
    service = catalog.service(code)
    if jurisdiction_id is not None and not catalog.knows(jurisdiction_id):
        raise JurisdictionNotFound("jurisdiction_id를 찾을 수 없습니다.", jurisdiction_id=jurisdiction_id[:100])
    if service is None or (jurisdiction_id is not None and not catalog.offers(jurisdiction_id, service)):
        raise ServiceCodeNotFound("service_code를 찾을 수 없습니다.", service_code=code[:40])
    return service

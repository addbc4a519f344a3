"""The public-service API's bodies on the wire (pydantic) and their conversion to and from the port's types.

The reference service answers with these models and the HTTP adapter reads them back, so one definition fixes
the JSON both sides speak and the OpenAPI document states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from integrations.public_services.applicant import MAX_AGE, Applicant, ConditionAnswer
from integrations.public_services.catalog import shipped_support_forms
from integrations.public_services.conditions import Household, Sex, Status
from integrations.public_services.eligibility import Decision
from integrations.public_services.port import (
    MAX_PAGE,
    QUERY_SCHEMA,
    PublicServiceDirectory,
    SearchResults,
    ServiceDetail,
    ServiceSummary,
)
from integrations.public_services.regions import SIDO_ALIASES, Region
from kernel.http.kit import ApiRequest, QueryParam
from kernel.http.models import In, integral

_SIDO_SPELLINGS = sorted(
    {n for name, aliases in SIDO_ALIASES.items() for n in (name, *aliases)}, key=lambda n: (-len(n), n)
)
# What ``Region.parse`` takes, as a schema states it: a 시·도 spelling, then up to three 시/군/구 names.
MAX_OFFSET = 10_000
REGION_PATTERN = "^(" + "|".join(_SIDO_SPELLINGS) + ")( [가-힣]{1,6}[시군구]){0,3}$"


@dataclass(frozen=True)
class SearchArgs:
    """A search as its query parameters give it (both APIs that search take the same ones)."""

    query: str
    agency: str | None
    support_form: str | None
    limit: int
    offset: int

    @classmethod
    def of(cls, req: ApiRequest[Any]) -> SearchArgs:
        return cls(req.q("q") or "", req.q("agency"), req.q("support_form"),
                   req.q_int("limit", 10, 1, MAX_PAGE) or 10, req.q_int("offset", 0, 0, MAX_OFFSET) or 0)  # fmt: skip

    def run(self, directory: PublicServiceDirectory) -> SearchResults:
        return directory.search(self.query, agency=self.agency, support_form=self.support_form, limit=self.limit,
                                offset=self.offset)  # fmt: skip


def search_params() -> tuple[QueryParam, ...]:
    """The search's query parameters as the documents state them (the 지원유형 values from the shipped catalog)."""
    return (
        QueryParam("q", "what the caller asks (어르신 틀니, 청년 월세 …)", QUERY_SCHEMA, required=True),
        QueryParam.text("agency", "only services of agencies whose name contains this", 100),
        QueryParam.choice("support_form", "only services of this 지원유형", shipped_support_forms()),
        QueryParam.integer("limit", "page size", 1, MAX_PAGE, 10),
        QueryParam.integer("offset", "results to skip", 0, MAX_OFFSET, 0),
    )


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceSummaryOut(_Out):
    id: str
    name: str
    agency: str | None
    support_form: str | None
    field: str | None
    purpose: str | None
    url: str | None


class SearchOut(_Out):
    query: str
    total: int
    offset: int
    items: list[ServiceSummaryOut]


class ServiceOut(_Out):
    id: str
    name: str
    agency: str | None
    department: str | None
    field: str | None
    support_form: str | None
    user_type: str | None
    purpose: str | None
    target: str | None
    criteria: str | None
    content: str | None
    apply: str | None
    apply_detail: str | None
    deadline: str | None
    url: str | None
    phone: str | None
    updated_at: str | None


def results_out(found: SearchResults) -> SearchOut:
    return SearchOut(
        query=found.query,
        total=found.total,
        offset=found.offset,
        items=[ServiceSummaryOut(**vars(item)) for item in found.items],
    )


def service_out(found: ServiceDetail) -> ServiceOut:
    return ServiceOut(**vars(found))


def results_in(body: Any) -> SearchResults:
    parsed = SearchOut.model_validate(body)
    return SearchResults(
        query=parsed.query,
        total=parsed.total,
        offset=parsed.offset,
        items=tuple(ServiceSummary(**item.model_dump()) for item in parsed.items),
    )


def service_in(body: Any) -> ServiceDetail:
    return ServiceDetail(**ServiceOut.model_validate(body).model_dump())


def _alone_or_listed(kind: type[Household] | type[Status]) -> WithJsonSchema:
    """The schema of a characteristics list: any of the listed values, or ``["none"]`` alone."""
    others = [member.value for member in kind if member.value != "none"]
    return WithJsonSchema({"oneOf": [
        {"type": "array", "items": {"type": "string", "enum": others}, "maxItems": len(kind)},
        {"type": "array", "items": {"type": "string", "const": "none"}, "minItems": 1, "maxItems": 1},
    ]})  # fmt: skip


class ApplicantIn(In):
    """What the agent entered about the person (all optional; nothing entered is "not asked", never "no")."""

    age: Annotated[int, Field(ge=0, le=MAX_AGE), BeforeValidator(integral)] | None = Field(None, description="만 나이")
    sex: Sex | None = Field(None, description="M 남성, F 여성")
    region: Annotated[str, Field(min_length=2, max_length=60, pattern=REGION_PATTERN)] | None = Field(
        None, description="시·도 and optionally 시/군/구, e.g. '경기 수원시 영통구'"
    )
    income_band: Annotated[int, Field(ge=1, le=5), BeforeValidator(integral)] | None = Field(
        None, description="기준 중위소득 구간: 1 (50% 이하) … 5 (200% 초과)"
    )
    household: Annotated[list[Household], Field(max_length=len(Household)), _alone_or_listed(Household)] = Field(
        default_factory=list, description="가구 유형 the person's household has (['none']: 해당사항없음, alone)"
    )
    statuses: Annotated[list[Status], Field(max_length=len(Status)), _alone_or_listed(Status)] = Field(
        default_factory=list, description="생애주기·직업·특수 상황 that apply (['none']: 해당사항없음, alone)"
    )

    @field_validator("household", "statuses", mode="after")
    @classmethod
    def _none_stands_alone(cls, values: list[Any]) -> list[Any]:
        if "none" in values and len(values) > 1:
            raise ValueError("'none' (해당사항없음) stands alone: it says the person has none of the others")
        return values


class ConditionOut(_Out):
    code: str
    label: str
    answer: Literal["yes", "no", "unknown"]
    reason: str


class DecisionOut(_Out):
    service_id: str
    service_name: str
    overall: Literal["yes", "no", "unknown"]
    conditions: list[ConditionOut]


def applicant(body: ApplicantIn) -> Applicant:
    """The port's applicant; ``InvalidApplicant`` / ``InvalidRegion`` (422) for values the rules refuse."""
    region = Region.parse(body.region) if body.region is not None else None
    return Applicant(
        age=body.age,
        sex=body.sex,
        region=region,
        income_band=body.income_band,
        household=frozenset(body.household),
        statuses=frozenset(body.statuses),
    )


def applicant_out(person: Applicant) -> dict[str, Any]:
    """The JSON body of an eligibility request for ``person`` (what ``ApplicantIn`` reads back)."""
    body: dict[str, Any] = {
        "household": sorted(h.value for h in person.household),
        "statuses": sorted(s.value for s in person.statuses),
    }
    for name, value in (("age", person.age), ("sex", person.sex), ("income_band", person.income_band)):
        if value is not None:
            body[name] = value.value if isinstance(value, Sex) else value
    if person.region is not None:
        body["region"] = str(person.region)
    return body


def decision_out(service_id: str, decision: Decision) -> DecisionOut:
    return DecisionOut(
        service_id=service_id,
        service_name=decision.service_name,
        overall=decision.overall,
        conditions=[
            ConditionOut(code=c.code, label=c.label, answer=c.answer, reason=c.reason) for c in decision.conditions
        ],
    )


def decision_in(body: Any) -> Decision:
    parsed = DecisionOut.model_validate(body)
    return Decision(
        service_id=parsed.service_id,
        service_name=parsed.service_name,
        overall=parsed.overall,
        conditions=tuple(ConditionAnswer(c.code, c.label, c.answer, c.reason) for c in parsed.conditions),
    )


ANSWER_WORDS = {"yes": "해당", "no": "해당 안 됨", "unknown": "확인 필요"}


def entered_text(person: Applicant) -> str:
    """What the agent entered, in Korean words, for the timeline (nothing else is known of the person)."""
    parts = []
    if person.age is not None:
        parts.append(f"만 {person.age}세")
    if person.sex is not None:
        parts.append("남성" if person.sex is Sex.M else "여성")
    if person.region is not None:
        parts.append(str(person.region))
    if person.income_band is not None:
        parts.append(f"소득 {person.income_band}구간")
    if person.household:
        parts.append(person.household_text())
    if person.statuses:
        parts.append(person.statuses_text())
    return ", ".join(parts) or "입력 없음"


def link_text(service: ServiceDetail) -> str:
    """The text that carries a service's link to a caller (CP949-safe: a character SMS cannot carry is dropped)."""
    lines = [f"[국민의 소리] {service.name} 안내"]
    if service.url:
        lines.append(service.url)
    if service.phone:
        lines.append(f"문의: {service.phone.split('||')[0][:40]}")
    text = "\n".join(lines)[:900]
    return text.encode("cp949", errors="ignore").decode("cp949")

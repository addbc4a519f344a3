"""``sori tools eligibility SERVICE_ID [--age N] [--sex M|F] [--region NAME] [--income-band 1..5] …``.

``add_arguments`` fills a parser the caller owns; ``run`` prints exactly one JSON object
``{"service_id", "service_name", "overall", "conditions": [{"code", "label", "answer", "reason"}]}`` to stdout
and returns 0, or writes a message to stderr and returns 1 for an unknown service id. Values the rules refuse
are argparse usage errors (status 2) that list the allowed values.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from integrations.public_services.applicant import MAX_AGE, Applicant, InvalidApplicant
from integrations.public_services.catalog import Catalog, load_catalog
from integrations.public_services.conditions import Household, Sex, Status, vocabulary
from integrations.public_services.eligibility import decide
from integrations.public_services.regions import SIDO_NAMES, InvalidRegion, Region


def _age(text: str) -> int:
    try:
        age = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"만 나이는 0~{MAX_AGE} 사이의 정수: {text!r}") from None
    if not 0 <= age <= MAX_AGE:
        raise argparse.ArgumentTypeError(f"만 나이는 0~{MAX_AGE} 사이의 정수: {text!r}")
    return age


def _region(text: str) -> Region:
    try:
        return Region.parse(text)
    except InvalidRegion as error:
        allowed = ", ".join(SIDO_NAMES)
        raise argparse.ArgumentTypeError(f"{error.message} (시·도: {allowed}; 예: '경기 수원시')") from None


class _ExtendNoneAlone(argparse.Action):
    """Extend the list, refusing 'none' (해당사항없음) beside another value."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        items = list(getattr(namespace, self.dest) or []) + list(values or [])
        if "none" in items and len(set(items)) > 1:
            parser.error(f"{option_string}: 'none'(해당사항없음)은 다른 값과 함께 쓸 수 없음")
        setattr(namespace, self.dest, items)


def _choices_help(kind: str) -> str:
    return ", ".join(f"{value}={label}" for value, label in vocabulary()[kind].items())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("service_id", help="서비스ID (보조금24 / 정부24)")
    parser.add_argument("--age", type=_age, metavar="N", help=f"만 나이 (0~{MAX_AGE})")
    parser.add_argument("--sex", choices=[s.value for s in Sex], help=_choices_help("sex"))
    parser.add_argument("--region", type=_region, metavar="NAME", help="시·도 [시/군/구], 예: '경기 수원시 영통구'")
    parser.add_argument(
        "--income-band", type=int, choices=range(1, 6), metavar="1..5", help=_choices_help("income_band")
    )
    parser.add_argument(
        "--household",
        nargs="+",
        action=_ExtendNoneAlone,
        choices=[h.value for h in Household],
        default=[],
        metavar="TYPE",
        help=_choices_help("household"),
    )
    parser.add_argument(
        "--status",
        nargs="+",
        action=_ExtendNoneAlone,
        choices=[s.value for s in Status],
        default=[],
        metavar="TYPE",
        help=_choices_help("status"),
    )


def applicant_from(args: argparse.Namespace) -> Applicant:
    return Applicant(
        age=args.age,
        sex=Sex(args.sex) if args.sex else None,
        region=args.region,
        income_band=args.income_band,
        household=frozenset(Household(h) for h in args.household),
        statuses=frozenset(Status(s) for s in args.status),
    )


def run(args: argparse.Namespace, catalog: Catalog | None = None) -> int:
    services = catalog if catalog is not None else load_catalog()
    service = services.get(args.service_id)
    if service is None:
        print(f"서비스를 찾을 수 없음: {args.service_id}", file=sys.stderr)
        return 1
    try:
        applicant = applicant_from(args)
    except InvalidApplicant as error:  # add_arguments already refuses these; a hand-built Namespace may not
        print(error.message, file=sys.stderr)
        return 2
    print(json.dumps(decide(service, applicant).to_json(), ensure_ascii=False))
    return 0

"""``sori tools eligibility``: argparse wiring, one JSON object on stdout, exit statuses."""

from __future__ import annotations

import argparse
import json

import pytest

from integrations.public_services import eligibility_cli
from integrations.public_services.catalog import Catalog, PublicService


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="sori tools eligibility")
    eligibility_cli.add_arguments(made)
    return made


def small_catalog() -> Catalog:
    return Catalog(
        [
            PublicService.from_json(
                {
                    "id": "S1",
                    "name": "어르신 틀니 지원",
                    "agency": "경기도 수원시",
                    "target": "수원시에 거주하는 만 65세 이상 어르신",
                    "source": "test",
                    "cond": {"JA0110": 65, "JA0111": 120, "JA0201": "Y", "JA0328": "Y"},
                }
            )
        ]
    )


def test_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["S1", "--age", "70", "--region", "경기 수원시", "--income-band", "1", "--status", "disabled", "veteran"]
    status = eligibility_cli.run(parser().parse_args(argv), catalog=small_catalog())
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    body = json.loads(out)
    assert list(body) == ["service_id", "service_name", "overall", "conditions"]
    assert body["service_id"] == "S1" and body["service_name"] == "어르신 틀니 지원" and body["overall"] == "yes"
    assert [c["code"] for c in body["conditions"]] == ["JA0110-JA0111", "JA0201-JA0205", "JA0301-JA0330", "text:region"]
    assert all(set(c) == {"code", "label", "answer", "reason"} for c in body["conditions"])
    assert "만 65세 이상 대상: 현재 만 70세" in out  # Korean as is (ensure_ascii=False)


def test_a_no_and_the_shipped_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    status = eligibility_cli.run(parser().parse_args(["354000000107", "--age", "58", "--sex", "F"]))
    body = json.loads(capsys.readouterr().out)
    assert status == 0 and body["overall"] == "no"
    assert {"code": "JA0110-JA0111", "label": "나이", "answer": "no", "reason": "만 65세 이상 대상: 현재 만 58세"} in (
        body["conditions"]
    )


def test_unknown_service_is_status_1_with_a_message_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    status = eligibility_cli.run(parser().parse_args(["NO-SUCH-ID"]), catalog=small_catalog())
    out, err = capsys.readouterr()
    assert status == 1 and out == "" and "NO-SUCH-ID" in err


@pytest.mark.parametrize(
    ("argv", "listed"),
    [
        (["S1", "--income-band", "7"], "1, 2, 3, 4, 5"),
        (["S1", "--sex", "X"], "'M', 'F'"),
        (["S1", "--status", "student"], "'university_student'"),
        (["S1", "--household", "big"], "'single_parent_or_grandparent'"),
        (["S1", "--status", "none", "disabled"], "해당사항없음"),
        (["S1", "--region", "수원시"], "경기도"),
        (["S1", "--age", "abc"], "0~150"),
    ],
)
def test_bad_arguments_are_usage_errors_listing_the_allowed_values(
    argv: list[str], listed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and listed in err

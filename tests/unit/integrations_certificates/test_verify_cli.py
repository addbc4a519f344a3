"""``sori tools certificate-verify``: offline verification with published keys; exit 0 valid, 1 altered or
unknown, 2 bad input — with a clear message, never a traceback."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from integrations.certificates import verify_cli
from integrations.certificates.memory import InMemoryCertificateIssuer
from integrations.certificates.port import IssuedCertificate

Issued = tuple[InMemoryCertificateIssuer, IssuedCertificate, bytes]


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    verify_cli.add_arguments(parser)
    return verify_cli.run(parser.parse_args(argv))


@pytest.fixture
def keys_file(issued_pdf: Issued, tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(issued_pdf[0].public_keys()), encoding="utf-8")
    return path


def test_a_valid_certificate_prints_its_masked_summary(
    issued_pdf: Issued, keys_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "등본.pdf"
    pdf.write_bytes(issued_pdf[2])
    assert _run([str(pdf), "--public-keys", str(keys_file)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"verdict": "valid", "kind": "주민등록표 등본", "issued_on": "2026-03-02", "name": "김*준"}


def test_altered_and_unknown_exit_1(
    issued_pdf: Issued, keys_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "c.pdf"
    data = issued_pdf[2]
    pdf.write_bytes(data[:500] + bytes([data[500] ^ 1]) + data[501:])
    assert _run([str(pdf), "--public-keys", str(keys_file)]) == 1
    assert json.loads(capsys.readouterr().out) == {"verdict": "altered", "kind": None, "issued_on": None, "name": None}
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"keys": []}), encoding="utf-8")
    pdf.write_bytes(data)
    assert _run([str(pdf), "--public-keys", str(other)]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "unknown"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "PDF 파일이 아닙니다"), (b"\x89PNG\r\n", "PDF 파일이 아닙니다"), (None, "파일을 읽을 수 없습니다")],
)
def test_bad_input_exits_2_with_a_clear_message(
    keys_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    target = tmp_path / "input.pdf"
    if content is not None:
        target.write_bytes(content)
    assert _run([str(target), "--public-keys", str(keys_file)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and "Traceback" not in captured.err


def test_a_huge_file_is_refused_without_reading_it_all(
    keys_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "huge.pdf"
    with target.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(64 * 1024 * 1024)  # sparse: cheap to make
    assert _run([str(target), "--public-keys", str(keys_file)]) == 2
    assert "너무 큽니다" in capsys.readouterr().err


@pytest.mark.parametrize("keys", [b"not json", b"\xff\xfe", b'{"keys": 3}', None])
def test_a_bad_public_key_file_exits_2(
    issued_pdf: Issued, tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: bytes | None
) -> None:
    pdf, keys_path = tmp_path / "c.pdf", tmp_path / "keys.json"
    pdf.write_bytes(issued_pdf[2])
    if keys is not None:
        keys_path.write_bytes(keys)
    assert _run([str(pdf), "--public-keys", str(keys_path)]) == 2
    assert "오류:" in capsys.readouterr().err

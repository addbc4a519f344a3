"""``sori tools certificate-verify FILE.pdf [--public-keys FILE.json]``: verify a certificate PDF offline with
the published public keys, print ``{"verdict", "kind", "issued_on", "name"}`` (name masked) as JSON.

Exit status: 0 valid, 1 altered or unknown, 2 bad input (unreadable file, not a PDF, bad key file) — always a
one-line Korean error on stderr, never a traceback. Reads only the two files it is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from integrations.certificates.errors import UnreadableDocument
from integrations.certificates.pdf import MAX_PDF_BYTES, verify_certificate
from integrations.certificates.signing import PublicKeys, PublicKeysInvalid

DEFAULT_PUBLIC_KEYS = Path("certificate-public-keys.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE.pdf", help="검증할 증명서 PDF")
    parser.add_argument(
        "--public-keys",
        type=Path,
        default=DEFAULT_PUBLIC_KEYS,
        metavar="FILE.json",
        help=f'공개된 검증 키 ({{"keys": [...]}}; 기본값 {DEFAULT_PUBLIC_KEYS})',
    )


def run(args: argparse.Namespace) -> int:
    try:
        keys = PublicKeys.from_json(json.loads(_read(args.public_keys, 1024 * 1024).decode("utf-8")))
        checked = verify_certificate(_read(args.file, MAX_PDF_BYTES), keys)
    except (UnreadableDocument, PublicKeysInvalid) as exc:
        print(f"오류: {exc.message}", file=sys.stderr)
        return 2
    except (UnicodeDecodeError, json.JSONDecodeError):
        print(f"오류: 공개키 파일이 JSON이 아닙니다: {args.public_keys}", file=sys.stderr)
        return 2
    print(json.dumps(checked.verdict.to_dict(), ensure_ascii=False))
    return 0 if checked.verdict.valid else 1


def _read(path: Path, limit: int) -> bytes:
    """The file's bytes, refusing one larger than ``limit`` before reading it all."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise UnreadableDocument(f"파일을 읽을 수 없습니다: {path} ({exc.strerror})") from exc
    if len(data) > limit:
        raise UnreadableDocument(f"파일이 너무 큽니다 (최대 {limit:,}바이트): {path}")
    return data

"""Ed25519 signing keys for certificates: a key ring with key ids, rotation, private keys in 0600 files, and the
published public keys (uses ``cryptography``; the file functions touch only the directory they are given).

- Key id (``kid``): ``ed25519-`` + the first 12 base64url characters of SHA-256 over the raw public key, so a
  kid names exactly one key and a verifier can tell keys apart without trusting file names.
- Rotation: ``rotate()`` adds a new key and makes it current; older keys stay in the ring and keep verifying
  the documents they signed. ``retire(kid)`` drops a key for good (its documents then verify as ``unknown``).
- Files: ``<dir>/<kid>.key`` (PKCS#8 PEM, created 0600 with O_EXCL) and ``<dir>/current`` (the current kid).
  ``KeyRing.load`` refuses any key file readable or writable by group or others.
- Published keys: ``{"keys": [{"kid", "alg": "Ed25519", "public_key": base64url(raw 32 bytes)}]}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kernel.errors import DomainError, ValidationFailed

ALG = "Ed25519"


class SigningKeyError(DomainError):
    """The key files are missing, malformed or unsafe."""

    code = "certificate-signing-key-error"


class KeyFileInsecure(SigningKeyError):
    code = "certificate-key-file-insecure"


class PublicKeysInvalid(ValidationFailed):
    code = "certificate-public-keys-invalid"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + b64url(hashlib.sha256(raw).digest())[:12]


class PublicKeys:
    """Verification-only keys by kid: what an offline verifier holds."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey]) -> None:
        self._keys = dict(keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def kids(self) -> list[str]:
        return list(self._keys)

    def verify(self, kid: str, data: bytes, signature: bytes) -> bool:
        key = self._keys.get(kid)
        if key is None:
            return False
        try:
            key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "keys": [
                {
                    "kid": kid,
                    "alg": ALG,
                    "public_key": b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)),
                }
                for kid, key in self._keys.items()
            ]
        }

    @classmethod
    def from_json(cls, data: Any) -> PublicKeys:
        """Read the published form; anything malformed is a ``PublicKeysInvalid`` with a Korean message."""
        entries = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise PublicKeysInvalid('공개키 파일 형식이 올바르지 않습니다 ({"keys": [...]} 필요)')
        keys: dict[str, Ed25519PublicKey] = {}
        for entry in entries:
            try:
                if entry["alg"] != ALG:
                    raise ValueError(entry["alg"])
                key = Ed25519PublicKey.from_public_bytes(unb64url(str(entry["public_key"])))
                kid = str(entry["kid"])
            except (KeyError, TypeError, ValueError) as exc:
                raise PublicKeysInvalid(f"공개키 항목이 올바르지 않습니다: {exc}") from exc
            if key_id(key) != kid:
                raise PublicKeysInvalid(f"공개키와 키 ID가 맞지 않습니다: {kid}")
            keys[kid] = key
        return cls(keys)


class KeyRing:
    """Private keys by kid; the current one signs, all of them verify."""

    def __init__(self, keys: Iterable[Ed25519PrivateKey], current: str | None = None) -> None:
        self._keys: dict[str, Ed25519PrivateKey] = {key_id(key.public_key()): key for key in keys}
        if not self._keys:
            raise SigningKeyError("서명 키가 없습니다")
        self._current = current if current is not None else list(self._keys)[-1]
        if self._current not in self._keys:
            raise SigningKeyError(f"현재 서명 키 {self._current}가 키 목록에 없습니다")

    @classmethod
    def generate(cls, seed: bytes | None = None) -> KeyRing:
        """A ring of one new key (``seed``: 32 bytes, for deterministic tests only)."""
        return cls([_new_key(seed)])

    @property
    def current_kid(self) -> str:
        return self._current

    def kids(self) -> list[str]:
        return list(self._keys)

    def sign(self, data: bytes, kid: str | None = None) -> tuple[str, bytes]:
        """Sign with the current key, or with ``kid`` (a document issued before a rotation, rendered after)."""
        kid = self._current if kid is None else kid
        if kid not in self._keys:
            raise SigningKeyError(f"서명 키 {kid}가 키 목록에 없습니다")
        return kid, self._keys[kid].sign(data)

    def rotate(self, seed: bytes | None = None) -> str:
        """Add a new key and make it current; the old ones keep verifying."""
        key = _new_key(seed)
        kid = key_id(key.public_key())
        self._keys[kid] = key
        self._current = kid
        return kid

    def retire(self, kid: str) -> None:
        if kid == self._current:
            raise SigningKeyError("현재 서명 키는 폐기할 수 없습니다 (먼저 교체하세요)")
        self._keys.pop(kid, None)

    def public(self) -> PublicKeys:
        return PublicKeys({kid: key.public_key() for kid, key in self._keys.items()})

    def save(self, directory: Path) -> None:
        """Write the keys not yet on disk (each 0600, never overwritten) and the current kid."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for kid, key in self._keys.items():
            path = directory / f"{kid}.key"
            if not path.exists():
                pem = key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                _write_private(path, pem)
        current = directory / "current.tmp"
        current.write_text(self._current + "\n", encoding="ascii")
        current.replace(directory / "current")

    @classmethod
    def load(cls, directory: Path) -> KeyRing:
        """Read every ``*.key`` in the directory (refusing unsafe permissions) and the ``current`` kid."""
        keys = []
        for path in sorted(directory.glob("*.key")):
            mode = os.stat(path).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise KeyFileInsecure(
                    f"서명 키 파일 권한이 안전하지 않습니다 ({oct(mode & 0o777)}): {path}"
                    " — chmod 600 후 다시 시도하세요"
                )
            try:
                key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            except ValueError as exc:
                raise SigningKeyError(f"서명 키 파일을 읽을 수 없습니다: {path}") from exc
            if not isinstance(key, Ed25519PrivateKey):
                raise SigningKeyError(f"Ed25519 키가 아닙니다: {path}")
            if path.stem != key_id(key.public_key()):
                raise SigningKeyError(f"키 파일 이름과 키 ID가 맞지 않습니다: {path}")
            keys.append(key)
        if not keys:
            raise SigningKeyError(f"서명 키가 없습니다: {directory}")
        current_file = directory / "current"
        current = current_file.read_text(encoding="ascii").strip() if current_file.exists() else None
        return cls(keys, current)

    def export_public(self) -> str:
        """The published public keys as JSON text."""
        return json.dumps(self.public().to_json(), ensure_ascii=False, indent=2)


def _new_key(seed: bytes | None) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed) if seed is not None else Ed25519PrivateKey.generate()


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL: never follow or reuse an existing file; the mode is set at creation, before any byte is written.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may have narrowed it further, never widened; make it exact
        os.write(fd, data)
    finally:
        os.close(fd)

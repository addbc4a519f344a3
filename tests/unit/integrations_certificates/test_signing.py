"""The Ed25519 key ring: key ids, rotation, 0600 key files (refused when readable by others), published keys."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from integrations.certificates.signing import (
    KeyFileInsecure,
    KeyRing,
    PublicKeys,
    PublicKeysInvalid,
    SigningKeyError,
    b64url,
    unb64url,
)


def test_sign_and_verify_with_key_ids_and_rotation() -> None:
    ring = KeyRing.generate(bytes(32))
    first = ring.current_kid
    kid, signature = ring.sign(b"data")
    assert kid == first and first.startswith("ed25519-") and len(unb64url(b64url(signature))) == 64
    second = ring.rotate(bytes([1] * 32))
    assert ring.current_kid == second != first
    public = ring.public()
    assert public.verify(first, b"data", signature)
    assert not public.verify(first, b"Data", signature)
    assert not public.verify(second, b"data", signature)
    assert not public.verify("ed25519-nobody", b"data", signature)
    with pytest.raises(SigningKeyError):
        ring.retire(second)
    with pytest.raises(SigningKeyError):
        ring.sign(b"x", "ed25519-nobody")


def test_public_keys_are_published_as_json_and_read_back() -> None:
    ring = KeyRing.generate(bytes(32))
    ring.rotate(bytes([1] * 32))
    published = json.loads(ring.export_public())
    assert [set(entry) for entry in published["keys"]] == [{"kid", "alg", "public_key"}] * 2
    assert {entry["alg"] for entry in published["keys"]} == {"Ed25519"}
    assert all(len(unb64url(entry["public_key"])) == 32 for entry in published["keys"])
    again = PublicKeys.from_json(published)
    kid, signature = ring.sign(b"data")
    assert again.verify(kid, b"data", signature)


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"keys": "x"},
        {"keys": [{"kid": "k", "alg": "RSA", "public_key": "AA"}]},
        {"keys": [{"kid": "k", "alg": "Ed25519", "public_key": "AA"}]},
        {"keys": [{"alg": "Ed25519"}]},
    ],
)
def test_malformed_public_keys_are_refused(data: object) -> None:
    with pytest.raises(PublicKeysInvalid):
        PublicKeys.from_json(data)


def test_a_public_key_under_another_key_s_id_is_refused() -> None:
    published = KeyRing.generate(bytes(32)).public().to_json()
    published["keys"][0]["kid"] = KeyRing.generate(bytes([3] * 32)).current_kid
    with pytest.raises(PublicKeysInvalid):
        PublicKeys.from_json(published)


def test_key_files_are_created_0600_and_load_back_with_the_current_key(tmp_path: Path) -> None:
    ring = KeyRing.generate(bytes(32))
    ring.rotate(bytes([1] * 32))
    ring.save(tmp_path / "keys")
    files = sorted((tmp_path / "keys").glob("*.key"))
    assert len(files) == 2
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    loaded = KeyRing.load(tmp_path / "keys")
    assert loaded.current_kid == ring.current_kid and sorted(loaded.kids()) == sorted(ring.kids())
    kid, signature = loaded.sign(b"x")
    assert ring.public().verify(kid, b"x", signature)
    before = files[0].read_bytes()
    ring.save(tmp_path / "keys")  # saving again never rewrites a key file
    assert files[0].read_bytes() == before


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_a_key_file_readable_or_writable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    KeyRing.generate(bytes(32)).save(tmp_path)
    [path] = tmp_path.glob("*.key")
    path.chmod(mode)
    with pytest.raises(KeyFileInsecure) as refused:
        KeyRing.load(tmp_path)
    assert "chmod 600" in refused.value.message


def test_missing_or_foreign_key_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError):
        KeyRing.load(tmp_path)
    KeyRing.generate(bytes(32)).save(tmp_path)
    [path] = tmp_path.glob("*.key")
    path.rename(tmp_path / "ed25519-renamed.key")
    with pytest.raises(SigningKeyError):
        KeyRing.load(tmp_path)
    (tmp_path / "ed25519-renamed.key").write_bytes(b"not a key")
    with pytest.raises(SigningKeyError):
        KeyRing.load(tmp_path)

"""API keys of the apps that file requests: create, revoke, list, authenticate.

A key is ``secrets.token_urlsafe(32)``, shown once at creation; the store keeps its SHA-256 (hex) and its
first 8 characters (to tell keys apart in lists), never the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from crm.open311.errors import AppNotFound, InvalidApiKey, Open311Invalid
from crm.open311.model import App
from crm.ports import UnitOfWork

NAME_MAX = 64
_NAME = re.compile(r"[\w.\- ]{1,64}")


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def authenticate(uow: UnitOfWork, api_key: str | None) -> App | None:
    """The app of ``api_key``; None when no key was given; an unknown or revoked key is ``InvalidApiKey``."""
    if api_key is None or api_key == "":
        return None
    app = uow.open311.app_by_key_hash(key_hash(api_key)) if len(api_key) <= 200 else None
    if app is None or app.revoked_at is not None:
        raise InvalidApiKey("api_key가 올바르지 않거나 폐기되었습니다.")
    return app


def create_app_key(uow: UnitOfWork, name: str, created_by: str, now: dt.datetime) -> tuple[App, str]:
    """A new app and its key (returned once, never stored)."""
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise Open311Invalid("앱 이름은 1~64자의 문자·숫자·'.', '-', '_', 공백이어야 합니다.", field="name")
    if uow.open311.app_by_name(name) is not None:
        raise Open311Invalid(f"이미 '{name}' 앱이 있습니다.", field="name")
    api_key = secrets.token_urlsafe(32)
    app = App(name=name, key_hash=key_hash(api_key), key_prefix=api_key[:8], created_at=now, created_by=created_by)
    uow.open311.add_app(app)
    uow.flush()
    return app, api_key


def revoke_app_key(uow: UnitOfWork, name: str, now: dt.datetime) -> App:
    """Revoke the app's key (idempotent: a revoked app keeps its first revocation time)."""
    app = uow.open311.app_by_name(name.strip())
    if app is None:
        raise AppNotFound(f"'{name[:64]}' 앱을 찾을 수 없습니다.", name=name[:64])
    if app.revoked_at is None:
        app.revoked_at = now
    return app


def list_apps(uow: UnitOfWork) -> list[App]:
    return list(uow.open311.apps())

"""``sori open311 key create|list|revoke``: the API keys of the apps that file 민원 over Open311.

``key create --app NAME`` prints the new key alone on its last line (the store keeps only its hash: it is
never shown again); ``key list`` prints one JSON line per app (key prefixes only); ``key revoke --app NAME``
stops a key at once (repeating it changes nothing). Keys are never taken on the command line.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the commands' heavy imports (sqlalchemy, crm) wait until a command runs
    from sori.config import Settings


def add_parsers(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    open311 = sub.add_parser("open311", help="Open311 GeoReport v2: apps' API keys")
    open311_sub = open311.add_subparsers(dest="open311_command", required=True)
    key = open311_sub.add_parser("key", help="apps' API keys")
    key_sub = key.add_subparsers(dest="key_command", required=True)
    create = key_sub.add_parser("create", help="a new app and its key (printed once, alone on the last line)")
    common(create)
    create.add_argument("--app", required=True, help="the app's name (1-64 letters, digits, '.', '-', '_', space)")
    listing = key_sub.add_parser("list", help="the apps, one JSON line each (key prefixes only)")
    common(listing)
    revoke = key_sub.add_parser("revoke", help="revoke an app's key (at once; idempotent)")
    common(revoke)
    revoke.add_argument("--app", required=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from crm.open311 import keys
    from crm.store import migrate
    from kernel.errors import DomainError
    from sori.wiring import build_system

    system = build_system(settings)
    try:
        migrate.upgrade(system.engine)
        now = system.clock()
        with system.uow() as uow:
            if args.key_command == "create":
                app, api_key = keys.create_app_key(uow, args.app, f"cli:{getpass.getuser()}"[:64], now)
                uow.commit()
                print(f"app {app.name} created; its API key (shown once, keep it secret):", file=sys.stderr)
                print(api_key)
                return 0
            if args.key_command == "revoke":
                app = keys.revoke_app_key(uow, args.app, now)
                uow.commit()
                print(json.dumps(_app(app), ensure_ascii=False))
                return 0
            for app in keys.list_apps(uow):
                print(json.dumps(_app(app), ensure_ascii=False))
            return 0
    except DomainError as exc:
        print(f"sori open311: {exc.message}", file=sys.stderr)
        return 2
    finally:
        system.engine.dispose()


def _app(app: Any) -> dict[str, Any]:
    return {
        "name": app.name,
        "key_prefix": app.key_prefix,
        "created_at": app.created_at.isoformat(),
        "created_by": app.created_by,
        "revoked_at": app.revoked_at.isoformat() if app.revoked_at else None,
    }

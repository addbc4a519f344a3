"""The case store's commands of ``sori``: ``db`` (upgrade, check, current), ``seed --demo``, ``centers import``,
``agents add`` and ``agents sip-password``, and ``purge``; each on the system the composition root builds."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from crm.agents.model import Agent
from crm.agents.sip import issue, rotate_sip_password
from crm.api.auth import hash_password
from crm.store import migrate
from kernel.actor import Actor, Role
from kernel.errors import DomainError
from sori.config import Settings
from sori.purge import purge
from sori.seed.demo import seed_centers, seed_demo
from sori.wiring import System, build_system


def run(args: argparse.Namespace, settings: Settings) -> int:
    system = build_system(settings)
    if args.command == "db":
        if args.db_command == "upgrade":
            migrate.upgrade(system.engine)
            print(f"schema at {migrate.current_revision(system.engine)}")
        elif args.db_command == "check":
            migrate.check(system.engine)
            print("no drift between models and migrations")
        else:
            print(migrate.current_revision(system.engine) or "(empty database)")
        return 0
    migrate.upgrade(system.engine)
    if args.command == "seed":
        report = seed_demo(system)
        print(
            json.dumps(
                {
                    "centers_created": len(report.centers.created),
                    "centers_updated": len(report.centers.updated),
                    "center_errors": [e.__dict__ for e in report.center_errors],
                    "agents_created": report.agents_created,
                    "citizens_created": report.citizens_created,
                    "cases_created": report.cases_created,
                },
                ensure_ascii=False,
            )
        )
        return 0
    if args.command == "centers":
        if not args.file.is_file():
            print(f"sori: no such file: {args.file}", file=sys.stderr)
            return 2
        result, errors = seed_centers(system, args.file)
        for error in errors:
            print(f"line {error.line} ({error.code or '?'}): {error.message}", file=sys.stderr)
        print(
            json.dumps(
                {
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "unchanged": len(result.unchanged),
                    "not_in_file": result.not_in_file,
                    "rejected_rows": len(errors),
                },
                ensure_ascii=False,
            )
        )
        return 1 if errors else 0
    if args.command == "agents":
        if args.agents_command == "sip-password":
            return _rotate_sip_password(system, args.login)
        return _add_agent(system, args)
    if args.command == "purge":
        counts = purge(system, dry_run=args.dry_run)
        print(json.dumps({"dry_run": args.dry_run, "deleted": counts}, ensure_ascii=False))
        return 0
    return 2


def _add_agent(system: System, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("password: ")
    if len(password) < 10:
        print("sori: the password must be at least 10 characters", file=sys.stderr)
        return 2
    try:
        with system.uow() as uow:
            if uow.centers.get(args.center) is None:
                print(f"sori: no center {args.center}", file=sys.stderr)
                return 2
            if uow.agents.by_login(args.login) is not None:
                print(f"sori: login {args.login} exists", file=sys.stderr)
                return 2
            agent = Agent(
                center_code=args.center,
                login=args.login,
                display_name=args.name,
                role=Role(args.role),
                password_hash=hash_password(password),
                created_at=system.clock(),
            )
            sip = issue(agent, system.settings.edge.realm)  # the phone's own random password, never the API one
            uow.agents.add(agent)
            uow.commit()
    except DomainError as exc:
        print(f"sori: {exc.message}", file=sys.stderr)
        return 2
    print(f"created {args.login}")
    print(f"sip-password {sip.password}")
    print(f"the phone registers as {args.login} in realm {sip.realm}; this password is shown only now",
          file=sys.stderr)  # fmt: skip
    return 0


def _rotate_sip_password(system: System, login: str) -> int:
    try:
        with system.uow() as uow:
            sip = rotate_sip_password(uow, Actor.system("cli"), login, system.settings.edge.realm)
            uow.commit()
    except DomainError as exc:
        print(f"sori: {exc.message}", file=sys.stderr)
        return 2
    print(sip.password)
    print(f"new SIP password of {login}'s phone (realm {sip.realm}), shown only now; the edge takes it within "
          f"telephony.agents_refresh_s ({system.settings.telephony.agents_refresh_s} s)", file=sys.stderr)  # fmt: skip
    return 0

"""``sori refsvc`` (the bundled reference government systems) and ``sori tools …`` (the agent tools' checks
without the console: ``eligibility`` and ``certificate-verify``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sori.config import Settings


def add_parsers(sub: Any) -> None:
    from integrations.certificates import verify_cli
    from integrations.public_services import eligibility_cli

    refsvc = sub.add_parser("refsvc", help="the bundled reference government systems (sori up starts it)")
    refsvc.add_argument("--config", dest="config_file", type=Path, help="TOML configuration file")
    refsvc.add_argument("--host", help="listen address (default integrations.reference.host)")
    refsvc.add_argument("--port", type=int, help="port (default integrations.reference.port)")
    refsvc.add_argument(
        "--state-dir", type=Path, help="Sori's state directory (the service keeps its store under refsvc/)"
    )
    refsvc.add_argument("--only", nargs="*", help="play only these systems (public-services certificates bills)")
    tools = sub.add_parser("tools", help="agent tools from the command line")
    tools_sub = tools.add_subparsers(dest="tools_command", required=True)
    eligibility = tools_sub.add_parser(
        "eligibility", help="whether someone with these attributes may receive a public service (JSON)"
    )
    eligibility_cli.add_arguments(eligibility)
    verify = tools_sub.add_parser(
        "certificate-verify", help="check an issued certificate PDF offline with the published public keys (JSON)"
    )
    verify_cli.add_arguments(verify)
    for parser in (refsvc, eligibility, verify):
        common = {} if parser is refsvc else {"config_file": None, "state_dir": None}
        parser.set_defaults(database_url=None, **common)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "refsvc":
        from integrations.refsvc import main as refsvc  # deferred: twisted
        from sori.tools_wiring import api_key, refsvc_dir

        reference = settings.integrations.reference
        port = args.port if args.port is not None else reference.port
        if not port:
            print("sori refsvc: give --port (or integrations.reference.port)", flush=True)
            return 2
        for name in ("public-services", "certificates", "bills"):
            api_key(settings, name)  # each played system's key file, created 0600 when missing
        namespace = argparse.Namespace(
            host=args.host or reference.host, port=port, state_dir=refsvc_dir(settings),
            verify_base_url=reference.verify_base_url or f"http://{settings.http.host}:{settings.http.port}",
            only=args.only, exit_with_stdin=False,
        )  # fmt: skip
        return refsvc.run(namespace)
    if args.tools_command == "eligibility":
        from integrations.public_services import eligibility_cli

        return eligibility_cli.run(args)
    from integrations.certificates import verify_cli

    return verify_cli.run(args)

"""Render ``kamailio.cfg`` from the edge settings, the number plan and the state directory.

The script is a fixed template with ``{{NAME}}`` markers; rendering fills every
marker (an unknown or unfilled marker is an error) and generates one route,
``NUMBERS``, from the number plan. Routing in short:

* every request: banned source dropped, pike, scanners dropped, size limit,
  Max-Forwards, sanity; OPTIONS to the edge itself answered 200;
* in-dialog requests follow the Record-Route set (the dialog module watches them);
* REGISTER: digest authentication against the ``subscriber`` table, then ``save``; failures are counted
  per source address and per login (``htable``): past ``auth_ban`` limits the source is dropped (unless
  phones registered from it: a center's NAT), and the login is refused from every address that has not
  registered it successfully (its own phone keeps working);
* INVITE from a media worker: to a registered agent (``lookup("location")``), or a citizen's
  number to the PSTN gateway (callbacks);
* INVITE from anyone else: the dialled number picks the candidate centers
  (404 when unknown), ``X-Sori-*`` headers carry them to a worker chosen
  round-robin among those with fewer than the cap of active dialogs
  (a ``callers`` dialog profile keyed ``host:port``); 503 when all are full. The ``worker``
  profile counts all of a worker's dialogs (callers and the legs it dialled to agents and
  citizens): those end when the worker dies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from telephony.edge.numbers import NumberPlan
from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import WORKER_SET
from telephony.edge.template import TEMPLATE

MARKER = re.compile(r"\{\{([A-Z_]+)\}\}")


@dataclass(frozen=True)
class EdgePaths:
    """Files of one edge instance, all under its state directory."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "kamailio.cfg"

    @property
    def dispatcher(self) -> Path:
        return self.root / "dispatcher.list"

    @property
    def db(self) -> Path:
        return self.root / "db"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def pid_file(self) -> Path:
        return self.run / "kamailio.pid"

    @property
    def rpc_socket(self) -> Path:
        return self.run / "rpc.sock"

    @property
    def ctl_socket(self) -> Path:
        return self.run / "ctl.sock"


def render_config(config: EdgeConfig, plan: NumberPlan, paths: EdgePaths) -> str:
    listen = [f"listen=udp:{config.host}:{config.port}"]
    if config.tcp:
        listen.append(f"listen=tcp:{config.host}:{config.port}")
    values = {
        "LOG_LEVEL": str(config.log_level),
        "CHILDREN": str(config.children),
        "DISABLE_TCP": "no" if config.tcp else "yes",
        "LISTEN": "\n".join(listen),
        "MODULES_DIR": str(config.modules_dir),
        "RUN_DIR": str(paths.run),
        "DISPATCHER_LIST": str(paths.dispatcher),
        "DB_URL": f"text://{paths.db}",
        "RPC_SOCKET": str(paths.rpc_socket),
        "CTL_SOCKET": f"unix:{paths.ctl_socket}",
        "REALM": config.realm,
        "WORKER_SET": str(WORKER_SET),
        "WORKER_CAP": str(config.worker_call_cap),
        "WORKER_PING": str(config.worker_ping_seconds),
        "MAX_MESSAGE_BYTES": str(config.max_message_bytes),
        "PIKE_WINDOW": str(config.pike.window_seconds),
        "PIKE_REQUESTS": str(config.pike.requests),
        "PIKE_LATENCY": str(config.pike.remove_latency),
        "BAN_SECONDS": str(config.pike.ban_seconds),
        "AUTH_SOURCE_FAILURES": str(config.auth_ban.source_failures),
        "AUTH_LOGIN_FAILURES": str(config.auth_ban.login_failures),
        "AUTH_WINDOW": str(config.auth_ban.window_seconds),
        "AUTH_BAN_SECONDS": str(config.auth_ban.ban_seconds),
        "AUTH_TRUST_SECONDS": str(config.auth_ban.trust_seconds),
        "SCANNERS": "|".join(re.escape(s) for s in config.scanners),
        "DIALOG_TIMEOUT": str(config.dialog_timeout_seconds),
        "INVITE_TIMEOUT_MS": str(config.invite_timeout_seconds * 1000),
        "NUMBERS_ROUTE": numbers_route(plan),
        "PSTN_ROUTE": pstn_route(config.pstn_gateway),
        "TRUSTED_TRUNKS": trusted_trunks(config.trusted_trunks),
    }
    return fill(TEMPLATE, values)


def pstn_route(gateway: str | None) -> str:
    """Callbacks to Korean numbers (0 followed by 8-10 digits) go to the gateway; none: 404."""
    if gateway is None:
        return "\t# no PSTN gateway configured: callbacks to citizens cannot leave the platform"
    return "\n".join(
        [
            '\tif ($rU =~ "^0[0-9]{8,10}$") {',
            f'\t\t$du = "sip:{gateway}";',
            "\t\troute(RELAY);",
            "\t}",
        ]
    )


def trusted_trunks(trunks: tuple[str, ...]) -> str:
    """``X-Sori-Trusted-Caller: 1`` on calls from a trunk's address; any such header from elsewhere is gone."""
    if not trunks:
        return "\t# no trusted trunk configured: no caller number opens self-service without a PIN"
    test = " || ".join(f"src_ip=={trunk}" for trunk in trunks)
    return f'\tif ({test}) {{\n\t\tappend_hf("X-Sori-Trusted-Caller: 1\\r\\n");\n\t}}'


def fill(template: str, values: dict[str, str]) -> str:
    used = set(MARKER.findall(template))
    missing = used - values.keys()
    unused = values.keys() - used
    if missing or unused:
        raise ValueError(f"template markers: missing {sorted(missing)}, unused {sorted(unused)}")
    return MARKER.sub(lambda m: values[m.group(1)], template)


def numbers_route(plan: NumberPlan) -> str:
    """``route[NUMBERS]``: sets $var(public) and $var(candidates) from $rU and $var(area); empty when unknown."""
    lines = [
        "route[NUMBERS] {",
        '\t$var(public) = "";',
        '\t$var(candidates) = "";',
        "\tswitch($rU) {",
    ]
    for number in plan.numbers.values():
        lines.append(f'\tcase "{number.digits}":')
        lines.append(f'\t\t$var(public) = "{number.public_number}";')
        lines.append(f'\t\t$var(candidates) = "{",".join(number.centers)}";')
        for area, center in sorted(number.by_area.items()):
            lines.append(f'\t\tif ($var(area) == "{area}") {{ $var(candidates) = "{center}"; }}')
        lines.append("\t\tbreak;")
    lines += ["\t}", "}"]
    return "\n".join(lines)

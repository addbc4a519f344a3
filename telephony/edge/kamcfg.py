"""Render ``kamailio.cfg`` from the edge settings, the number plan and the state directory.

The script is a fixed template with ``{{NAME}}`` markers; rendering fills every
marker (an unknown or unfilled marker is an error) and generates one route,
``NUMBERS``, from the number plan. Routing in short:

* every request: banned source dropped, pike, scanners dropped, size limit,
  Max-Forwards, sanity; OPTIONS to the edge itself answered 200;
* in-dialog requests follow the Record-Route set (the dialog module watches them);
* REGISTER: digest authentication against the ``subscriber`` table, then ``save``;
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
        "SCANNERS": "|".join(re.escape(s) for s in config.scanners),
        "DIALOG_TIMEOUT": str(config.dialog_timeout_seconds),
        "INVITE_TIMEOUT_MS": str(config.invite_timeout_seconds * 1000),
        "NUMBERS_ROUTE": numbers_route(plan),
        "PSTN_ROUTE": pstn_route(config.pstn_gateway),
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


TEMPLATE = r"""#!KAMAILIO
# Generated by Sori (telephony.edge.kamcfg). Do not edit: change the settings and restart the edge.

####### Global parameters #########
debug={{LOG_LEVEL}}
log_stderror=yes
log_facility=LOG_LOCAL0
fork=yes
children={{CHILDREN}}
disable_tcp={{DISABLE_TCP}}
tcp_children=2
auto_aliases=no
{{LISTEN}}
mpath="{{MODULES_DIR}}"
rundir="{{RUN_DIR}}"
server_header="Server: Sori edge"
user_agent_header="User-Agent: Sori edge"
sip_warning=0
dns=no
rev_dns=no
use_dns_cache=no

####### Modules #########
loadmodule "jsonrpcs.so"
loadmodule "ctl.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "htable.so"
loadmodule "pike.so"
loadmodule "cfgutils.so"
loadmodule "db_text.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "dialog.so"
loadmodule "dispatcher.so"

# control: JSON-RPC over a Unix datagram socket (Sori's control process), binrpc for kamcmd
modparam("jsonrpcs", "transport", 4)
modparam("jsonrpcs", "dgram_socket", "{{RPC_SOCKET}}")
modparam("jsonrpcs", "pretty_format", 0)
modparam("ctl", "binrpc", "{{CTL_SOCKET}}")

modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", {{INVITE_TIMEOUT_MS}})
modparam("rr", "append_fromtag", 1)
# lock("workers") makes "count a worker's dialogs, then join its profile" atomic across Kamailio's children
modparam("cfgutils", "lock_set_size", 4)

# flood protection: a source above the density is banned for BAN_SECONDS
modparam("pike", "sampling_time_unit", {{PIKE_WINDOW}})
modparam("pike", "reqs_density_per_unit", {{PIKE_REQUESTS}})
modparam("pike", "remove_latency", {{PIKE_LATENCY}})
modparam("htable", "htable", "ipban=>size=8;autoexpire={{BAN_SECONDS}};")

# agents' phones: digest auth against db_text, registrations written through to db_text. db_text does not
# cache: a subscriber table rewritten by Sori (an agent added or deactivated) is read again at once.
modparam("db_text", "db_mode", 1)
modparam("usrloc", "db_url", "{{DB_URL}}")
modparam("usrloc", "db_mode", 1)
modparam("registrar", "max_expires", 3600)
modparam("auth_db", "db_url", "{{DB_URL}}")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "use_domain", 0)
modparam("auth_db", "load_credentials", "")

# calls: every dialog tracked; the "worker" profile counts a worker's dialogs by host:port
modparam("dialog", "profiles_with_value", "worker;callers")
modparam("dialog", "default_timeout", {{DIALOG_TIMEOUT}})
modparam("dialog", "send_bye", 1)
modparam("dialog", "dlg_match_mode", 1)

# media workers: set {{WORKER_SET}} of the list Sori writes; probing left to the control process unless set
modparam("dispatcher", "list_file", "{{DISPATCHER_LIST}}")
modparam("dispatcher", "ds_ping_interval", {{WORKER_PING}})
modparam("dispatcher", "ds_probing_mode", 0)

####### Routing logic ########
request_route {
	route(REQINIT);

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}

	route(WITHINDLG);

	if (is_method("REGISTER")) {
		route(REGISTRAR);
	}
	if (!is_method("INVITE")) {
		append_to_reply("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER\r\n");
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	record_route();
	if (ds_is_from_list("{{WORKER_SET}}", "2")) {
		route(FROM_WORKER);
	}
	route(TO_WORKER);
}

route[REQINIT] {
	if ($sht(ipban=>$si) != $null) {
		exit;
	}
	if (!ds_is_from_list("{{WORKER_SET}}", "2")) {
		if (!pike_check_req()) {
			xlog("L_ALERT", "sori-edge: flood from $si, banned\n");
			$sht(ipban=>$si) = 1;
			exit;
		}
	}
	if ($ua =~ "({{SCANNERS}})") {
		xlog("L_NOTICE", "sori-edge: scanner '$ua' from $si dropped\n");
		exit;
	}
	if ($ml > {{MAX_MESSAGE_BYTES}}) {
		sl_send_reply("513", "Message Too Large");
		exit;
	}
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("17895", "7")) {
		xlog("L_NOTICE", "sori-edge: malformed request from $si:$sp\n");
		exit;
	}
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
}

route[WITHINDLG] {
	if (!has_totag()) {
		return;
	}
	if (loose_route()) {
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	sl_send_reply("404", "Not Here");
	exit;
}

route[REGISTRAR] {
	if (!auth_check("{{REALM}}", "subscriber", "1")) {
		auth_challenge("{{REALM}}", "0");
		exit;
	}
	consume_credentials();
	if (!save("location")) {
		sl_reply_error();
	}
	exit;
}

# A media worker calling out: to a registered agent (the login is the Request-URI user) or, for a
# callback, to a citizen's number through the PSTN gateway when one is configured.
route[FROM_WORKER] {
	dlg_manage();
	$var(key) = $si + ":" + $sp;
	set_dlg_profile("worker", "$var(key)");
	if (lookup("location")) {
		route(RELAY);
	}
{{PSTN_ROUTE}}
	sl_send_reply("404", "Not Registered");
	exit;
}

# A caller dialling a center number: to a media worker with room for one more call.
route[TO_WORKER] {
	remove_hf_re("^X-Sori-");
	# the caller's area code when the caller is a landline (same rule as numbers.caller_area_code)
	$var(caller) = $fU;
	if ($var(caller) =~ "^\+82") {
		$var(caller) = "0" + $(var(caller){s.substr,3,0});
	}
	$var(area) = "";
	if ($var(caller) =~ "^02[0-9]{7,8}$") {
		$var(area) = "02";
	} else if ($var(caller) =~ "^0(3[1-3]|4[1-4]|5[1-5]|6[1-4])[0-9]{7,8}$") {
		$var(area) = $(var(caller){s.substr,0,3});
	}
	route(NUMBERS);
	if ($var(candidates) == "") {
		sl_send_reply("404", "Unknown Number");
		exit;
	}
	append_hf("X-Sori-Dialled: $var(public)\r\n");
	append_hf("X-Sori-Center-Candidates: $var(candidates)\r\n");
	if ($var(area) != "") {
		append_hf("X-Sori-Caller-Area: $var(area)\r\n");
	}
	dlg_manage();
	lock("workers");
	if (!ds_select_dst("{{WORKER_SET}}", "4")) {
		unlock("workers");
		append_to_reply("Retry-After: 5\r\n");
		sl_send_reply("503", "No Workers");
		exit;
	}
	route(PICK_WORKER);
	unlock("workers");
	if ($avp(worker) == $null) {
		append_to_reply("Retry-After: 5\r\n");
		sl_send_reply("503", "All Workers Busy");
		exit;
	}
	t_on_failure("WORKER_FAILED");
	route(RELAY);
}

# From $du on, the first worker with fewer than {{WORKER_CAP}} callers joins the "callers" and "worker" profiles.
route[PICK_WORKER] {
	$avp(worker) = $null;
	$var(more) = 1;
	while ($var(more) == 1) {
		$var(key) = $(du{uri.host}) + ":" + $(du{uri.port});
		get_profile_size("callers", "$var(key)", "$var(calls)");
		if ($var(calls) < {{WORKER_CAP}}) {
			set_dlg_profile("callers", "$var(key)");
			set_dlg_profile("worker", "$var(key)");
			$avp(worker) = $var(key);
			$var(more) = 0;
		} else if (!ds_next_dst()) {
			$var(more) = 0;
		}
	}
}

# A worker that times out or fails: release its slot and try the next one with room.
failure_route[WORKER_FAILED] {
	if (t_is_canceled()) {
		exit;
	}
	if (t_check_status("408|500|503") && $avp(worker) != $null) {
		unset_dlg_profile("callers", "$avp(worker)");
		unset_dlg_profile("worker", "$avp(worker)");
		lock("workers");
		if (ds_next_dst()) {
			route(PICK_WORKER);
		} else {
			$avp(worker) = $null;
		}
		unlock("workers");
		if ($avp(worker) != $null) {
			t_on_failure("WORKER_FAILED");
			route(RELAY);
		}
	}
}

# Replies that match no transaction are dropped, never forwarded by their Via (RFC 4475 bcast).
reply_route {
	if (!t_check_trans()) {
		drop;
	}
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

{{NUMBERS_ROUTE}}
"""

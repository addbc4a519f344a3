"""``sori simulate`` and the live demo of ``sori up --demo``: simulated callers and agent bots.

The demo bots are agents of four centers (the 110, 126, 129 and 1350 lines); ``acrc.kim`` and
``seoul.park`` are left to people trying the console. Callers dial from the demo citizens' numbers (70%)
so screen-pops show a history. The bots' phones register with the SIP passwords the demo seed drew for them
(read from its 0600 file, handed to the softphones on stdin, never on a command line).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from sori.config import Settings
from sori.seed.demo import DEMO_PASSWORD
from sori.seed.demo_phones import demo_sip_file, read_sip_file
from telephony.sim.plan import BotPolicy, CenterLoad
from telephony.sim.service import SimulationConfig, SimulationService

log = logging.getLogger("sori.sim")

DEMO_LOADS = (
    CenterLoad("ACRC110", "110", 2.0),
    CenterLoad("NTS126", "126", 1.5),
    CenterLoad("MOHW129", "129", 1.0),
    CenterLoad("MOEL1350", "1350", 1.0),
)
DEMO_BOTS = ("acrc.lee", "nts.choi", "mohw.han", "moel.jung")
DEMO_NUMBERS = tuple(f"0105000{i:04d}" for i in range(40))
DEMO_TRANSFERS = (("ACRC110", "general"), ("NTS126", "general"), ("MOHW129", "general"), ("MOEL1350", "general"))


def simulation_config(
    settings: Settings,
    *,
    http_url: str | None = None,
    sip: str | None = None,
    centers: list[str] | None = None,
    bots: list[str] | None = None,
    rate_scale: float = 1.0,
    drop_share: float = 0.05,
    transfer_share: float = 0.1,
    handle_mean_s: float = 45.0,
    seed: int | None = None,
    sip_passwords: Path | None = None,
) -> SimulationConfig:
    """``sip_passwords``: the demo seed's file of the bots' SIP passwords (default: this state directory's)."""
    host, _, port = (sip or f"{settings.edge.host}:{settings.edge.port}").rpartition(":")
    loads = tuple(replace(x, calls_per_minute=x.calls_per_minute * rate_scale) for x in DEMO_LOADS
                  if centers is None or x.center in centers)  # fmt: skip
    if not loads:
        raise ValueError(f"no simulated center among {centers}; choose from {[x.center for x in DEMO_LOADS]}")
    source = sip_passwords or demo_sip_file(settings.state_dir)
    phones = read_sip_file(source)
    chosen = list(bots or DEMO_BOTS)
    for login in (x for x in chosen if x not in phones):
        log.warning("bot has no SIP password (seed the demo, or its password was rotated): no phone",
                    extra={"login": login, "file": str(source)})  # fmt: skip
    policy = BotPolicy(handle_mean_s=handle_mean_s, handle_sd_s=handle_mean_s / 2, transfer_share=transfer_share,
                       transfer_targets=DEMO_TRANSFERS)  # fmt: skip
    return SimulationConfig(
        http_url=http_url or f"http://{settings.http.host}:{settings.http.port}",
        sip_host=host,
        sip_port=int(port),
        loads=loads,
        bots=tuple((login, DEMO_PASSWORD, phones[login]) for login in chosen if login in phones),
        policy=policy,
        drop_share=drop_share,
        known_numbers=DEMO_NUMBERS,
        seed=seed,
    )


def run_simulation(settings: Settings, config: SimulationConfig, minutes: float) -> int:
    """Run against a system already up; stop after ``minutes`` and print what the bots did (JSON)."""
    from twisted.internet import reactor as default_reactor  # deferred: importing it installs the global reactor

    reactor: Any = default_reactor
    state = Path(settings.state_dir) / "simulation"
    sim = SimulationService(config, state, reactor)
    reactor.callWhenRunning(sim.startService)
    reactor.addSystemEventTrigger("before", "shutdown", sim.stopService)
    reactor.callLater(minutes * 60, reactor.stop)
    reactor.run()
    summary = {
        "bots": {b.api.login_name: {"handled": b.handled, "transferred": b.transferred} for b in sim.bots},
        "centers": [x.center for x in config.loads],
        "minutes": minutes,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0

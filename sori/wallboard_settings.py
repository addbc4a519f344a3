"""The wallboard's thresholds from the configuration's ``[dashboard]`` section (``wallboard_*`` keys)."""

from __future__ import annotations

from typing import Any

from telephony.board.wallboard import BadThreshold, WallboardSettings


def wallboard_settings(config: Any, service_level_s: int = 20) -> WallboardSettings:
    """``config``: a ``sori.config.DashboardConfig``; ``service_level_s`` the default threshold (the ACD's,
    ``telephony.service_level_s``); raises ValueError for a threshold not in WAIT_EDGES_S."""
    try:
        return WallboardSettings(
            threshold_s=service_level_s,
            thresholds_s=dict(config.wallboard_sl_thresholds_s),
            sl_target=config.wallboard_sl_target,
            wait_limit_s=config.wallboard_wait_limit_s,
            state_limits_s=dict(config.wallboard_state_limits_s),
        )
    except BadThreshold as bad:
        raise ValueError(str(bad)) from None

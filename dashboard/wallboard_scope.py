"""Who may watch which wallboard: the scopes (one center, an institution's centers, all centers) and the rule
(supervisors: their own center; admins: any scope), shared by the push stream, the Dash callbacks and the
supervisor actions' page buttons. Plain Python: every refusal is an exception with a code and a Korean reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboard.ports import Viewer
from dashboard.supervisor_ports import SUPERVISOR_ROLES

ALL = "all"


@dataclass(frozen=True)
class Grant:
    """A viewer allowed a scope: its label (``center:ACRC110``, ``institution:…``, ``all``) and its centers
    (None: every center)."""

    login: str
    scope: str
    centers: frozenset[str] | None

    def allows(self, center: str) -> bool:
        return self.centers is None or center in self.centers


class Refused(Exception):
    """A refusal: HTTP ``status``, a stable ``code`` and a Korean ``message`` saying why."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def center_scope(code: str) -> str:
    return f"center:{code}"


def institution_scope(name: str) -> str:
    return f"institution:{name}"


def grant(viewer: Viewer | None, scope: str, institutions: Mapping[str, str]) -> Grant:
    """``institutions``: every active center's code → its institution's name."""
    if viewer is None:
        raise Refused(401, "unauthenticated", "로그인이 필요합니다. 다시 로그인하세요.")
    if viewer.role not in SUPERVISOR_ROLES:
        raise Refused(403, "forbidden-role", "상황판은 관리자(수퍼바이저)와 시스템 관리자만 볼 수 있습니다.")
    kind, _, name = scope.partition(":")
    admin = viewer.role == "admin"
    if scope == ALL or kind == "institution":
        if not admin:
            raise Refused(403, "admin-only", "기관 전체와 전체 센터 상황판은 시스템 관리자만 볼 수 있습니다.")
        if scope == ALL:
            return Grant(viewer.login, ALL, None)
        centers = frozenset(c for c, i in institutions.items() if i == name)
        if not centers:
            raise Refused(404, "unknown-institution", f"'{name}' 기관의 센터가 없습니다.")
        return Grant(viewer.login, scope, centers)
    if kind != "center" or not name:
        raise Refused(400, "bad-scope", "범위는 center:센터코드, institution:기관명 또는 all 입니다.")
    if not admin and name != viewer.center:
        raise Refused(403, "other-center", f"{viewer.center} 센터의 관리자는 {name} 센터 상황판을 볼 수 없습니다.")
    if name not in institutions:
        raise Refused(404, "unknown-center", f"{name} 센터가 없습니다.")
    return Grant(viewer.login, scope, frozenset({name}))

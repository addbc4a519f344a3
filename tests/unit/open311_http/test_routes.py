"""The paths of GeoReport v2: each operation with its format suffix; anything else is 404."""

from __future__ import annotations

import pytest

from crm.api.open311.refusals import Refusal
from crm.api.open311.resource import _route


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (b"/open311/v2/discovery.json", ("discovery", None, "json")),
        (b"/open311/v2/services.xml", ("services", None, "xml")),
        (b"/open311/v2/services/ROAD-DAMAGE.json", ("service", "ROAD-DAMAGE", "json")),
        (b"/open311/v2/services/a.b.xml", ("service", "a.b", "xml")),
        (b"/open311/v2/requests.json", ("requests", None, "json")),
        (b"/open311/v2/requests/17.xml", ("request", "17", "xml")),
        (b"/open311/v2/tokens/abc_-1.json", ("token", "abc_-1", "json")),
        (b"/open311/v2/services/%EB%8F%84%EB%A1%9C.json", ("service", "도로", "json")),
    ],
)
def test_operations(path: bytes, expected: tuple[str, str | None, str]) -> None:
    assert _route(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        b"/open311/v2/services.yaml",
        b"/open311/v2/services",
        b"/open311/v2/.json",
        b"/open311/v2/services/.json",
        b"/open311/v2/services/a/b.json",
        b"/open311/v2/tokens.json",
        b"/open311/v2/discovery/x.json",
        b"/open311/v1/services.json",
        b"/open311/services.json",
        b"/open311/v2/services/%ff.json",
        "/open311/v2/services/도로.json".encode(),
    ],
)
def test_everything_else_is_404(path: bytes) -> None:
    with pytest.raises(Refusal) as refusal:
        _route(path)
    assert refusal.value.status == 404

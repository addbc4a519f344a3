"""The public certificate check's helpers: issue numbers and codes as people type them, and the token bucket per
client address (a fake clock: no sleeps)."""

from __future__ import annotations

import pytest

from crm.api.public_verify import TokenBuckets, issue_number, verification_code
from crm.api.verify_page import render


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1234-5678-9012-3456", "1234-5678-9012-3456"),
        (" 1234 5678 9012 3456 ", "1234-5678-9012-3456"),
        ("1234567890123456", "1234-5678-9012-3456"),
        ("1234-5678-9012-345", None),
        ("1234-5678-9012-345X", None),
        ("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", None),  # other scripts' digits are not ours
    ],
)
def test_issue_numbers_as_typed(typed: str, read: str | None) -> None:
    assert issue_number(typed) == read


def test_codes_as_typed() -> None:
    assert verification_code("ab3d-ef7h") == "AB3DEF7H"
    assert verification_code("AB3D EF7") is None
    assert verification_code("AB3DEF7H!") is None


def test_a_bucket_per_address_refills_at_its_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(burst=3, per_minute=6, clock=lambda: now[0])  # one token every 10 s
    assert [buckets.take("10.0.0.1") for _ in range(3)] == [None, None, None]
    assert buckets.take("10.0.0.1") == 10
    assert buckets.take("10.0.0.2") is None  # another address has its own bucket
    now[0] = 4.0
    assert buckets.take("10.0.0.1") == 6
    now[0] = 10.0
    assert buckets.take("10.0.0.1") is None and buckets.take("10.0.0.1") == 10
    now[0] = 1000.0  # a long wait refills the burst, never more
    assert [buckets.take("10.0.0.1") for _ in range(4)] == [None, None, None, 10]


def test_memory_is_bounded() -> None:
    buckets = TokenBuckets(burst=1, per_minute=1, max_addresses=2, clock=lambda: 0.0)
    for address in ("a", "b", "c"):
        assert buckets.take(address) is None
    assert buckets.take("a") is None  # forgotten first, least recently seen
    assert buckets.take("c") == 60


def test_the_page_escapes_what_it_echoes() -> None:
    page = render("", '"><script>x</script>', "<b>")
    assert "<script>x" not in page and "&lt;b&gt;" in page and "<script" not in page

"""The demo citizens the in-memory government systems know, as in the foundation's demo data."""

from __future__ import annotations


def demo_citizens() -> list[str]:
    """The demo citizens' numbers (010-5000-0000 … 0039): the integrations look citizens up by phone number."""
    return [f"010-5000-{n:04d}" for n in range(40)]

"""Integrations: ports and HTTP adapters for external government systems (agent-tools issue)."""

"""Certificate issuing (정부24: 납세증명서, 소득금액증명 …). A port and an in-memory adapter; the HTTP adapter
and reference service arrive with the agent-tools issue."""

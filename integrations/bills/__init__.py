"""The tax and local-tax ledgers: what a citizen owes (종합소득세, 지방세 …). A port and an in-memory adapter;
the HTTP adapter and reference service arrive with the agent-tools issue."""

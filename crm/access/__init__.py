"""Access to citizen data: who may see what, and the append-only log of every read."""

"""Unit tests of PII masking: every kind, the false-positive traps, idempotence, the sample evaluation."""

"""The SMS gateway: a port, an in-memory adapter, an HTTP adapter, and a bundled reference service.

Sori sends one-time codes (identity checks) and notices to citizens' mobile phones through an external
SMS/LMS gateway. The protocol is ``openapi.json`` beside this file: ``POST /v1/messages`` (bearer API key,
``Idempotency-Key``), ``GET /v1/messages/{id}``, and, in the reference service only, the simulated
carrier's handset view ``GET /v1/handsets/{number}/messages``. Numbers are Korean mobile numbers in digits
(``010…``); texts are counted in CP949 bytes: ≤ 90 an SMS, ≤ 2,000 an LMS (``rules.py``).
"""

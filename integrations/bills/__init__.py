"""The bill ledgers: the notices (고지서) a citizen receives — 국세, 지방세, 4대보험, 자동차 정기검사 — where each
stands today (unpaid, paid, overdue with its late charge), and re-sending a notice by the citizen's channel.

- ``surcharge``: each family's late charge as data (Korean description, legal source) and its computation;
- ``model``: the notice record, its standing on a day, kinds, families, channels;
- ``outbox``: resend requests and their delivery status;
- ``port``: the ``BillLedger`` protocol, ``Bill`` (the IVR's answer) and the errors;
- ``codec``: the port's answers as JSON and back, for the HTTP adapter and reference service;
- ``memory`` / ``demo``: the in-memory ledger (clock injected) and the demo citizens' notices;
- ``wire`` / ``reference_api`` / ``stored``: the ledger's HTTP API (``docs/integrations/bills.openapi.json``) as
  ``sori refsvc`` plays it, the demo moved to today and resends kept in its SQLite store;
- ``http_adapter``: ``HttpBillLedger``, the port over that API.
"""

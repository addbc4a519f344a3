"""Certificate issuing (정부24 and the agencies behind it: 주민등록표 등·초본, 가족관계증명서, 납세증명서 …) with
forgery checks.

- ``kinds``: the configurable kinds table (fees by channel, allowed deliveries).
- ``port``: the ``CertificateIssuer`` port and its JSON-serialisable types; ``errors``: its stable errors.
- ``citizens``/``demo_data``: what the issuer knows of a citizen (contact points on file), masking.
- ``document``: the canonical (signed) content; ``pdf``: the sealed PDF and offline verification;
  ``signing``: the Ed25519 key ring and published keys.
- ``issuing``: the rules every issuer applies in one order; ``memory``: the in-memory issuer (and the demo one);
  ``sqlite_store``: the issuer over SQLite (what the reference service plays, deliveries advancing over time).
- ``wire``/``reference_api``: the API the reference service (``sori refsvc``) serves at ``/certificates``;
  ``http_adapter``: ``HttpCertificateIssuer``, the port over that API.
- ``verify_cli``: ``sori tools certificate-verify``.
"""

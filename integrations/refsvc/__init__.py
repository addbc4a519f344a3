"""The bundled reference service (``sori refsvc``): one process playing the external systems the agent tools
call (보조금24 public services, 정부24 certificate issuing, the bill ledgers), each at its own path prefix with
its own API key, over one SQLite store."""

"""The HTTP API of the case store (``/api/v1``) on twisted.web, with its OpenAPI 3.1 document."""

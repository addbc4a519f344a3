"""The Open311 GeoReport v2 protocol layer: ``/open311/v2/...`` in JSON and XML over the ``crm.open311`` service
layer, and the admins' routes for API keys and held requests on the main API."""

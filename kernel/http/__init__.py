"""The HTTP kit every package's routes are written with: routes, requests, bodies, parameters, errors, OpenAPI.

Framework-free: the Twisted site that serves a router lives with the case store's API (``crm.api.resource``).
"""

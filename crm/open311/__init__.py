"""Open311 GeoReport v2 onto the 신문고 complaints: the domain (no framework, no database).

A citizen-facing app files a service request with its API key; the request becomes a complaint in the
inbox of the center that answers for its service and place (``crm.cases.complaints.record_complaint``), and
the app reads back its status and answer. Modules: ``catalog`` (services and jurisdictions, bundled
``services.json``), ``regions`` (시·도 of an address or a point), ``validation``, ``model``, ``errors``,
``limits`` (rate limiter), and the service layer, each function taking the ``UnitOfWork`` port:

- ``catalog.list_services(catalog, jurisdiction_id)``, ``catalog.service_definition(catalog, code, jurisdiction_id)``
- ``keys.authenticate(uow, api_key)``, ``keys.create_app_key(uow, name, created_by, now)``,
  ``keys.revoke_app_key(uow, name, now)``, ``keys.list_apps(uow)``
- ``intake.submit(uow, app, sub, *, catalog, now, remote, masker, calendar, due_days, rules)``
- ``reads.resolve_token(uow, app, token)``, ``reads.find_requests(uow, app, query, catalog, now)``,
  ``reads.get_request(uow, app, service_request_id, catalog)``
- ``review.held_requests(uow, limit)``, ``review.accept_held(uow, actor, token, now, *, catalog, ...)``,
  ``review.reject_held(uow, actor, token, reason, now)``
- ``classify.classify_pending(uow, suggest, limit, now)`` (off the request path)

The HTTP protocol layer is ``crm.api.open311``; the SQL adapter ``crm.store.open311_repo``.
"""

"""CRM: the session-continuous case store shared by every call center.

The packages under ``crm`` hold the domain (plain Python, no I/O); ``crm.store``
is the SQLAlchemy adapter and ``crm.api`` the HTTP adapter.
"""

"""The case store's door: the commands and queries CRM publishes to other packages (``ports``), with a
SQLAlchemy adapter (``sql_*``) and an in-memory one (``memory``) that pass one contract suite.

Other packages import ``crm.door.ports`` only; the composition root (``sori/``) builds the adapters.
"""

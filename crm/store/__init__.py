"""The case store's SQLAlchemy adapter: tables, mapping, repositories, unit of work, migrations."""

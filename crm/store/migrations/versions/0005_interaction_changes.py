"""interactions carry a change position for the analytics indexer

The indexer read contacts past the highest interaction id it had seen, so a
contact committed after a higher id (or whose words arrived after it was first
read: notes at wrap-up, a transcript) was skipped for good. Every insert, and
every update of a column analytics read, now stamps the row with
``(change_xid, change_seq)``, set by the database itself (triggers), so no
write path (ORM, Core, group ingest, a hand-written UPDATE) can miss it:

- PostgreSQL: ``change_seq`` from the SEQUENCE ``interactions_change_seq``,
  ``change_xid`` the writing transaction's id (``pg_current_xact_id()``). A
  reader takes only rows whose transaction id is below its snapshot's xmin (every
  such transaction has ended) and keeps its cursor on (xid, seq): a transaction
  still running holds later rows back instead of being overtaken by them.
- SQLite: ``change_seq`` from the counter row ``change_sequences('interactions')``,
  bumped in the writing transaction; one writer at a time makes it commit-ordered,
  and ``change_xid`` is 0.

Existing rows take their id as their change position.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The columns ``analytics.ingest.case_store`` reads from interactions: a change to any of them is a change.
_WATCHED = ("started_at", "ended_at", "channel", "center_code", "case_id", "citizen_id", "notes", "transcript")

_POSTGRES = [
    "CREATE SEQUENCE IF NOT EXISTS interactions_change_seq OWNED BY interactions.change_seq",
    "SELECT setval('interactions_change_seq', GREATEST((SELECT max(id) FROM interactions), 0) + 1, false)",
    """CREATE OR REPLACE FUNCTION sori_interactions_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.change_seq := nextval('interactions_change_seq');
         NEW.change_xid := pg_current_xact_id()::text::bigint;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER interactions_change_insert BEFORE INSERT ON interactions
       FOR EACH ROW EXECUTE FUNCTION sori_interactions_change()""",
    f"""CREATE TRIGGER interactions_change_update BEFORE UPDATE ON interactions FOR EACH ROW
       WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _WATCHED)})
       EXECUTE FUNCTION sori_interactions_change()""",
]

_SQLITE_STAMP = """
         UPDATE change_sequences SET last_value = last_value + 1 WHERE name = 'interactions';
         UPDATE interactions SET change_xid = 0,
           change_seq = (SELECT last_value FROM change_sequences WHERE name = 'interactions')
         WHERE id = NEW.id;"""

_SQLITE = [
    "INSERT INTO change_sequences (name, last_value) VALUES ('interactions', (SELECT coalesce(max(id), 0) FROM interactions))",
    f"CREATE TRIGGER interactions_change_insert AFTER INSERT ON interactions BEGIN {_SQLITE_STAMP} END",
    f"""CREATE TRIGGER interactions_change_update AFTER UPDATE OF {", ".join(_WATCHED)} ON interactions
       WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _WATCHED)}
       BEGIN {_SQLITE_STAMP} END""",
]


def upgrade() -> None:
    op.create_table(
        "change_sequences",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_sequences")),
    )
    op.add_column("interactions", sa.Column("change_seq", sa.BigInteger(), nullable=True))
    op.add_column("interactions", sa.Column("change_xid", sa.BigInteger(), nullable=True))
    op.execute("UPDATE interactions SET change_seq = id, change_xid = 0")
    op.create_index("ix_interactions_change", "interactions", ["change_xid", "change_seq"])
    for statement in _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER interactions_change_update" + (" ON interactions" if _pg() else ""))
    op.execute("DROP TRIGGER interactions_change_insert" + (" ON interactions" if _pg() else ""))
    if _pg():
        op.execute("DROP FUNCTION sori_interactions_change()")
    op.drop_index("ix_interactions_change", table_name="interactions")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("change_xid")
        batch.drop_column("change_seq")  # the PostgreSQL sequence goes with the column that owns it
    op.drop_table("change_sequences")


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"

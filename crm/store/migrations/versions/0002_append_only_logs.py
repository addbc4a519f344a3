"""access log and case events are append-only

The application can insert access-log rows and case events but never change
them; an access-log row can be deleted only by the retention purge, once it is
older than two years. Enforced by the database, so no code path can bypass it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:05:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE = [
    """CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
       BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END""",
    """CREATE TRIGGER access_log_no_early_delete BEFORE DELETE ON access_log
       WHEN OLD.at > datetime('now', '-730 days')
       BEGIN SELECT RAISE(ABORT, 'access log rows are kept at least 2 years'); END""",
    """CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END""",
]

_POSTGRES = [
    """CREATE FUNCTION sori_access_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'access log is append-only' USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF OLD.at > now() - interval '730 days' THEN
           RAISE EXCEPTION 'access log rows are kept at least 2 years'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN OLD;
       END $$""",
    """CREATE TRIGGER access_log_guard BEFORE UPDATE OR DELETE ON access_log
       FOR EACH ROW EXECUTE FUNCTION sori_access_log_guard()""",
    """CREATE FUNCTION sori_case_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'case events are append-only' USING ERRCODE = 'integrity_constraint_violation';
       END $$""",
    """CREATE TRIGGER case_events_guard BEFORE UPDATE ON case_events
       FOR EACH ROW EXECUTE FUNCTION sori_case_events_guard()""",
    # TRUNCATE skips row triggers; refuse it on the access log too.
    """CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
       FOR EACH STATEMENT EXECUTE FUNCTION sori_case_events_guard()""",
]


def upgrade() -> None:
    statements = _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER case_events_guard ON case_events")
        op.execute("DROP TRIGGER access_log_guard ON access_log")
        op.execute("DROP FUNCTION sori_case_events_guard()")
        op.execute("DROP FUNCTION sori_access_log_guard()")
    else:
        for name in ("access_log_no_update", "access_log_no_early_delete", "case_events_no_update"):
            op.execute(f"DROP TRIGGER {name}")

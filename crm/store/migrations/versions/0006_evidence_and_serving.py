"""identity evidence and where serving comes from

Identity checks need evidence (a one-time code by SMS, or the 주민등록번호 stated), every attempt
is an audit row, and serving outside calls comes from a supervisor's attestation or a 신문고
complaint assigned to the agent's center. Interactions keep the calling number from the SIP
signalling (never shown; it picks the citizen candidates) and how the system came to know them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("caller_number", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("origin", sa.String(length=40), nullable=True))
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("assigned_center", sa.String(length=20), nullable=True))
        batch.create_foreign_key("fk_complaints_assigned_center", "centers", ["assigned_center"], ["code"])
    op.create_table(
        "serving_attestations",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("citizen_id", _ID, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("agent_id", _ID, sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("center_code", sa.String(length=20), sa.ForeignKey("centers.code"), nullable=False),
        sa.Column("supervisor_id", _ID, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("walk-in", "outbound-duty", name="attestationkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interaction_id", _ID, sa.ForeignKey("interactions.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_serving_attestations_agent_id", "serving_attestations", ["agent_id"])
    op.create_table(
        "identity_attempts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", _ID, nullable=True),
        sa.Column("citizen_id", _ID, nullable=True),
        sa.Column("interaction_id", _ID, nullable=True),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "verified",
                "failed",
                "locked",
                "code-sent",
                "registered",
                name="outcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_attempts_agent_at", "identity_attempts", ["agent_id", "at"])
    op.create_index("ix_identity_attempts_citizen_at", "identity_attempts", ["citizen_id", "at"])
    op.create_table(
        "identity_challenges",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("interaction_id", _ID, sa.ForeignKey("interactions.id"), nullable=False),
        sa.Column("citizen_id", _ID, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_to_masked", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_challenges_interaction_id", "identity_challenges", ["interaction_id"])
    # The identity-check audit is append-only like the access log (the retention purge may delete).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """CREATE FUNCTION sori_identity_attempts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 RAISE EXCEPTION 'identity attempts are append-only'
                   USING ERRCODE = 'integrity_constraint_violation';
               END $$"""
        )
        op.execute(
            """CREATE TRIGGER identity_attempts_guard BEFORE UPDATE ON identity_attempts
               FOR EACH ROW EXECUTE FUNCTION sori_identity_attempts_guard()"""
        )
    else:
        op.execute(
            """CREATE TRIGGER identity_attempts_no_update BEFORE UPDATE ON identity_attempts
               BEGIN SELECT RAISE(ABORT, 'identity attempts are append-only'); END"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER identity_attempts_guard ON identity_attempts")
        op.execute("DROP FUNCTION sori_identity_attempts_guard()")
    else:
        op.execute("DROP TRIGGER identity_attempts_no_update")
    op.drop_table("identity_challenges")
    op.drop_table("identity_attempts")
    op.drop_table("serving_attestations")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_constraint("fk_complaints_assigned_center", type_="foreignkey")
        batch.drop_column("assigned_center")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("origin")
        batch.drop_column("caller_number")

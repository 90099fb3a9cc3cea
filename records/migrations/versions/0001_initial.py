"""The clinic database: consultation requests, outbox, hand-offs and the erasure log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _one_of(column: str, values: tuple) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f'"{column}" IN ({listed})'


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consultation_requests",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("consultation_format", sa.String(16), nullable=False),
        sa.Column("preferred_times", sa.Text(), nullable=False),
        sa.Column("preferred_dates", sa.JSON(), nullable=False),
        sa.Column("contact_method", sa.String(16), nullable=False),
        sa.Column("concern", sa.String(64), nullable=False),
        sa.Column("concern_detail", sa.Text(), nullable=True),
        sa.Column("screening_flags", sa.JSON(), nullable=False),
        sa.Column("screening_note", sa.Text(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("consent_version", sa.String(64), nullable=False),
        sa.Column("consent_given_at", _utc(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_consultation_requests_idempotency_key")),
        sa.CheckConstraint(
            _one_of("consultation_format", ("studio", "video")),
            name=op.f("ck_consultation_requests_consultation_format"),
        ),
        sa.CheckConstraint(
            _one_of("contact_method", ("call", "text", "email")), name=op.f("ck_consultation_requests_contact_method")
        ),
        sa.CheckConstraint(
            _one_of("status", ("new", "contacted", "booked", "not_suitable", "closed")),
            name=op.f("ck_consultation_requests_status"),
        ),
    )
    op.create_index(
        op.f("ix_consultation_requests_conversation_id"), "consultation_requests", ["conversation_id"]
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("first_attempt_at", _utc(), nullable=True),
        sa.Column("last_attempt_at", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consultation_requests.id"],
            name=op.f("fk_outbox_request_id_consultation_requests"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("kind", "idempotency_key", name=op.f("uq_outbox_kind_idempotency_key")),
        sa.CheckConstraint(_one_of("kind", ("webhook", "email")), name=op.f("ck_outbox_kind")),
        sa.CheckConstraint(_one_of("status", ("pending", "delivered", "failed")), name=op.f("ck_outbox_status")),
    )
    op.create_index(op.f("ix_outbox_request_id"), "outbox", ["request_id"])
    op.create_index(op.f("ix_outbox_status_next_attempt_at"), "outbox", ["status", "next_attempt_at"])

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("resumed_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.CheckConstraint(_one_of("status", ("waiting", "resumed")), name=op.f("ck_handoffs_status")),
    )
    op.create_index(op.f("ix_handoffs_conversation_id"), "handoffs", ["conversation_id"])
    # At most one waiting hand-off per conversation.
    op.create_index(
        op.f("uq_handoffs_waiting_conversation_id"),
        "handoffs",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text("status = 'waiting'"),
        postgresql_where=sa.text("status = 'waiting'"),
    )

    op.create_table(
        "erasure_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", _utc(), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("requests_deleted", sa.Integer(), nullable=False),
        sa.Column("outbox_deleted", sa.Integer(), nullable=False),
        sa.Column("handoffs_deleted", sa.Integer(), nullable=False),
        sa.Column("events_deleted", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_log")),
        sa.CheckConstraint(
            _one_of("trigger", ("client", "staff", "retention")), name=op.f("ck_erasure_log_trigger")
        ),
    )


def downgrade() -> None:
    op.drop_table("erasure_log")
    op.drop_index(op.f("uq_handoffs_waiting_conversation_id"), table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_conversation_id"), table_name="handoffs")
    op.drop_table("handoffs")
    op.drop_index(op.f("ix_outbox_status_next_attempt_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_request_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_consultation_requests_conversation_id"), table_name="consultation_requests")
    op.drop_table("consultation_requests")

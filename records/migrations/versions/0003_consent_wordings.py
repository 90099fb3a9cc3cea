"""The consent wording each stored consent agreed to, kept once per version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_wordings",
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("first_shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_consent_wordings")),
    )


def downgrade() -> None:
    op.drop_table("consent_wordings")

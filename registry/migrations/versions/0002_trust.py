"""trust: refresh-token families, workstation audit heads, prescriber signatures

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Refresh-token families (registry/auth.py): a sign-in's tokens share one.
    op.add_column("tokens", sa.Column("family", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_tokens_family"), "tokens", ["family"], unique=False)
    # (end of refresh-token families)


def downgrade() -> None:
    # Refresh-token families
    op.drop_index(op.f("ix_tokens_family"), table_name="tokens")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("family")
    # (end of refresh-token families)

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
    # Workstation audit heads (registry/chain_heads.py): the last head each store showed.
    op.create_table(
        "workstation_audit_heads",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.String(length=40), nullable=False),
        sa.Column("rewound_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "store_id"),
    )
    # (end of workstation audit heads)


def downgrade() -> None:
    # Refresh-token families
    op.drop_index(op.f("ix_tokens_family"), table_name="tokens")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("family")
    # (end of refresh-token families)
    # Workstation audit heads
    op.drop_table("workstation_audit_heads")
    # (end of workstation audit heads)

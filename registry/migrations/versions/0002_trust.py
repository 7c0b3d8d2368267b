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
    # Workstation audit heads
    op.drop_table("workstation_audit_heads")
    # (end of workstation audit heads)

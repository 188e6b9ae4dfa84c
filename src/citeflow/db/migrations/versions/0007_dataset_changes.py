"""the last change number of each dataset's chunks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset_change",
        sa.Column("dataset_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dataset_id"),
    )
    op.create_index("ix_dataset_change_seq", "dataset_change", ["seq"], unique=False)
    op.execute(
        "INSERT INTO dataset_change (dataset_id, seq) "
        "SELECT dataset_id, MAX(seq) FROM chunk GROUP BY dataset_id"
    )


def downgrade() -> None:
    op.drop_index("ix_dataset_change_seq", table_name="dataset_change")
    op.drop_table("dataset_change")

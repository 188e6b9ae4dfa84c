"""chunk changes are read in (seq, id) order straight from an index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 02:58:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chunk", schema=None) as batch_op:
        batch_op.drop_index("ix_chunk_dataset_seq")
        batch_op.create_index("ix_chunk_dataset_seq", ["dataset_id", "seq", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chunk", schema=None) as batch_op:
        batch_op.drop_index("ix_chunk_dataset_seq")
        batch_op.create_index("ix_chunk_dataset_seq", ["dataset_id", "seq"], unique=False)

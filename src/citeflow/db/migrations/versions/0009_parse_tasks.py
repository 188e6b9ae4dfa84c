"""parse tasks, with the lease of the worker running each

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 05:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("doc_id", sa.String(length=32), nullable=False),
        sa.Column("from_page", sa.Integer(), nullable=False),
        sa.Column("to_page", sa.Integer(), nullable=False),
        sa.Column("task_type", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("begin_at", sa.BigInteger(), nullable=True),
        sa.Column("process_duration", sa.Float(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_msg", sa.Text(), nullable=False),
        sa.Column("retry_count", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("chunk_ids", sa.Text(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.Column("update_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["doc_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_document", "task", ["doc_id", "create_time"], unique=False)
    op.create_index("ix_task_queue", "task", ["priority", "create_time"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_task_queue", table_name="task")
    op.drop_index("ix_task_document", table_name="task")
    op.drop_table("task")

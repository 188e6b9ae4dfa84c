"""a dataset's embedded chunks are counted from an index, without reading their vectors

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 04:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_chunk_dataset_embedded",
        "chunk",
        ["dataset_id"],
        unique=False,
        sqlite_where=sa.text("vector IS NOT NULL"),
        postgresql_where=sa.text("vector IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_chunk_dataset_embedded", table_name="chunk")

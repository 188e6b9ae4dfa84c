"""chunk vectors, token counts, positions and the search change sequence

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chunk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vector", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("token_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("page_num", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("top", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.drop_index("ix_chunk_dataset")
        batch_op.create_index("ix_chunk_dataset_seq", ["dataset_id", "seq"], unique=False)
    op.create_table(
        "search_sequence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO search_sequence (id, value) VALUES (1, 0)")
    op.create_table(
        "chunk_tombstone",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset_id", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("chunk_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_chunk_tombstone_dataset_seq", "chunk_tombstone", ["dataset_id", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_chunk_tombstone_dataset_seq", table_name="chunk_tombstone")
    op.drop_table("chunk_tombstone")
    op.drop_table("search_sequence")
    with op.batch_alter_table("chunk", schema=None) as batch_op:
        batch_op.drop_index("ix_chunk_dataset_seq")
        batch_op.create_index("ix_chunk_dataset", ["dataset_id"], unique=False)
        batch_op.drop_column("seq")
        batch_op.drop_column("top")
        batch_op.drop_column("page_num")
        batch_op.drop_column("token_count")
        batch_op.drop_column("vector")

"""datasets, documents and blob cleanup

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:23:50.035997
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_cleanup",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=True),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("blob_cleanup", schema=None) as batch_op:
        batch_op.create_index("ix_blob_cleanup_bucket_name", ["bucket", "name"], unique=False)

    op.create_table(
        "dataset",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("avatar", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("embd_id", sa.String(length=255), nullable=False),
        sa.Column("permission", sa.String(length=16), nullable=False),
        sa.Column("parser_id", sa.String(length=32), nullable=False),
        sa.Column("parser_config", sa.Text(), nullable=False),
        sa.Column("similarity_threshold", sa.Float(), nullable=False),
        sa.Column("vector_similarity_weight", sa.Float(), nullable=False),
        sa.Column("pagerank", sa.Integer(), nullable=False),
        sa.Column("doc_num", sa.Integer(), nullable=False),
        sa.Column("chunk_num", sa.BigInteger(), nullable=False),
        sa.Column("token_num", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=1), nullable=False),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.Column("update_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_tenant_created", ["tenant_id", "create_time"], unique=False)
        batch_op.create_index("ix_dataset_tenant_name", ["tenant_id", "name_key"], unique=True)

    op.create_table(
        "document",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("dataset_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("name_key", sa.String(length=1024), nullable=False),
        sa.Column("thumbnail", sa.String(length=1024), nullable=False),
        sa.Column("parser_id", sa.String(length=32), nullable=False),
        sa.Column("parser_config", sa.Text(), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("suffix", sa.String(length=64), nullable=False),
        sa.Column("token_num", sa.BigInteger(), nullable=False),
        sa.Column("chunk_num", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_msg", sa.Text(), nullable=False),
        sa.Column("process_begin_at", sa.BigInteger(), nullable=True),
        sa.Column("process_duration", sa.Float(), nullable=False),
        sa.Column("meta_fields", sa.Text(), nullable=False),
        sa.Column("run", sa.String(length=1), nullable=False),
        sa.Column("status", sa.String(length=1), nullable=False),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.Column("update_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index("ix_document_dataset_created", ["dataset_id", "create_time"], unique=False)
        batch_op.create_index("ix_document_dataset_name", ["dataset_id", "name_key"], unique=False)
        batch_op.create_index("ix_document_dataset_location", ["dataset_id", "location"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_dataset_location")
        batch_op.drop_index("ix_document_dataset_name")
        batch_op.drop_index("ix_document_dataset_created")

    op.drop_table("document")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_tenant_name")
        batch_op.drop_index("ix_dataset_tenant_created")

    op.drop_table("dataset")
    with op.batch_alter_table("blob_cleanup", schema=None) as batch_op:
        batch_op.drop_index("ix_blob_cleanup_bucket_name")

    op.drop_table("blob_cleanup")

"""batches: a batch table, and job.batch_id

Revision ID: e7b3c1d9f2a4
Revises: e7d1a9c3b5f2
Create Date: 2026-12-20 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e7b3c1d9f2a4"
down_revision: Union[str, Sequence[str], None] = "e7d1a9c3b5f2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "batch",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_batch_owner_created", "batch", ["owner", "created_at"])
    # A plain ADD COLUMN (no table rebuild on SQLite: its FTS triggers on `job` forbid batch_alter_table).
    op.add_column("job", sa.Column("batch_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.create_index("ix_job_batch_id", "job", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_job_batch_id", table_name="job")
    op.drop_column("job", "batch_id")  # SQLite 3.35+ drops a column in place
    op.drop_index("ix_batch_owner_created", table_name="batch")
    op.drop_table("batch")

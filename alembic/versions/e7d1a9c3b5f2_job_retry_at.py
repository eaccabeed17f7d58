"""job: retry_at (when a job waiting for an automatic retry runs again)

Revision ID: e7d1a9c3b5f2
Revises: d7e3f1a9c2b8
Create Date: 2026-12-14 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e7d1a9c3b5f2"
down_revision: Union[str, Sequence[str], None] = "d7e3f1a9c2b8"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A plain ADD COLUMN: batch_alter_table would rebuild `job` in SQLite, which its FTS triggers forbid.
    # the same type as the other times (timestamptz on Postgres)
    op.add_column("job", sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("job", "retry_at")  # SQLite 3.35+ drops a column in place

"""job: favourite, tags, full-text search (SQLite FTS5 / Postgres tsvector)

Revision ID: a1b2c3d4e5f6
Revises: c4f8a2e9b1d3
Create Date: 2026-12-10 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from genapp.jobs import search_schema

revision: str = "a1b2c3d4e5f6"
down_revision: Union[str, Sequence[str], None] = "c4f8a2e9b1d3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild in SQLite: rowids and so the FTS index stay valid).
    op.add_column("job", sa.Column("favourite", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("job", sa.Column("tags", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    search_schema.create(op)


def downgrade() -> None:
    search_schema.drop(op)
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("tags")
        batch_op.drop_column("favourite")

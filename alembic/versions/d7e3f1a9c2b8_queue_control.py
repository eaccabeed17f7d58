"""queue control: paused queues, each user's own order of their pending jobs

Revision ID: d7e3f1a9c2b8
Revises: a1b2c3d4e5f6
Create Date: 2026-12-04 21:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "d7e3f1a9c2b8"
down_revision: Union[str, Sequence[str], None] = "a1b2c3d4e5f6"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "queue_hold",
        sa.Column("owner", _str(length=64), primary_key=True),
        sa.Column("mode", _str(length=16), nullable=False, server_default="queue"),
        sa.Column("held_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("held_by", _str(length=64), nullable=False, server_default=""),
    )
    # add_column only: a batch rebuild of `job` on SQLite would drop its full-text triggers
    op.add_column("job", sa.Column("queue_order", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("job", "queue_order")  # SQLite 3.35+ drops a column in place: the triggers stay
    op.drop_table("queue_hold")

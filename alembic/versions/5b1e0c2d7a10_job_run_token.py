"""job: run token, cancel request, dispatcher reference

Revision ID: 5b1e0c2d7a10
Revises: c10799b4b6af
Create Date: 2026-11-22 10:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5b1e0c2d7a10"
down_revision: Union[str, Sequence[str], None] = "c10799b4b6af"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("dispatch_ref", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("dispatch_ref")
        batch_op.drop_column("cancel_requested")
        batch_op.drop_column("run_token")

"""personal API tokens

Revision ID: c4f8a2e9b1d3
Revises: 9d2e4b7c1a55
Create Date: 2026-12-04 02:45:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c4f8a2e9b1d3"
down_revision: Union[str, Sequence[str], None] = "9d2e4b7c1a55"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_str = sqlmodel.sql.sqltypes.AutoString
_time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", _str(length=64), primary_key=True),
        sa.Column("user_id", _str(length=32), nullable=False),
        sa.Column("name", _str(length=60), nullable=False),
        sa.Column("prefix", _str(length=12), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("last_used_at", _time(), nullable=True),
        sa.Column("revoked_at", _time(), nullable=True),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_api_token_user_id", table_name="api_token")
    op.drop_table("api_token")

"""accounts, server-side sessions, sign-in throttle

Revision ID: 9d2e4b7c1a55
Revises: 7c3f9a1e2b44
Create Date: 2026-12-04 02:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9d2e4b7c1a55"
down_revision: Union[str, Sequence[str], None] = "7c3f9a1e2b44"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", _str(length=32), primary_key=True),
        sa.Column("email", _str(length=254), nullable=False),
        sa.Column("password_hash", _str(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("password_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_account_email", "account", ["email"], unique=True)
    op.create_table(
        "auth_session",
        sa.Column("id", _str(length=64), primary_key=True),
        sa.Column("user_id", _str(length=32), nullable=False),
        sa.Column("browser_id", _str(length=32), nullable=False),
        sa.Column("account", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_index("ix_auth_session_user_id", "auth_session", ["user_id"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", _str(length=300), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    op.drop_index("ix_auth_session_user_id", table_name="auth_session")
    op.drop_table("auth_session")
    op.drop_index("ix_account_email", table_name="account")
    op.drop_table("account")

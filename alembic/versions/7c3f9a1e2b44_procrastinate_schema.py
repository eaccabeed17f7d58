"""procrastinate schema (Postgres only: the scaled mode's job queue)

Revision ID: 7c3f9a1e2b44
Revises: 5b1e0c2d7a10
Create Date: 2026-11-22 11:45:00

The schema of the pinned Procrastinate release (pyproject: procrastinate==3.10.0). Upgrading
Procrastinate means adding a revision with its migration scripts for the versions in between.
SQLite databases (the embedded mode) have no use for it and are left alone.
"""
from typing import Sequence, Union

from alembic import op

revision: str = "7c3f9a1e2b44"
down_revision: Union[str, Sequence[str], None] = "5b1e0c2d7a10"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # Driver-level, so SQLAlchemy reads no bind parameters into it; psycopg 3 wants '%' doubled.
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in ("procrastinate_periodic_defers", "procrastinate_events", "procrastinate_jobs", "procrastinate_workers"):
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")

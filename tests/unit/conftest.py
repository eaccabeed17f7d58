"""Fixtures for the unit tests: a real database file, migrated by alembic as in production."""

from __future__ import annotations

import pytest

from genapp.db import make_engine, migrate


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()

"""Settings that decide what a shared service exposes."""

from __future__ import annotations

from genapp.config import Settings

SCALED = {"mode": "scaled", "db_url": "postgresql+psycopg://x@h/db", "redis_url": "redis://h"}


def test_the_qa_page_is_on_for_one_person_and_off_for_a_shared_service_unless_asked():
    assert Settings(_env_file=None).qa_enabled()
    assert not Settings(_env_file=None, **SCALED).qa_enabled()
    assert Settings(_env_file=None, qa_page="on", **SCALED).qa_enabled()
    assert not Settings(_env_file=None, qa_page="off").qa_enabled()


def test_only_the_apps_own_origin_may_call_the_backend():
    assert Settings(_env_file=None, frontend_port=3100).origins() == ["http://localhost:3100", "http://127.0.0.1:3100"]
    assert Settings(_env_file=None, allowed_origins="https://gm.example/, https://b.example").origins() == [
        "https://gm.example",
        "https://b.example",
    ]

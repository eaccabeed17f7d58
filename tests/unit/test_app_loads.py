"""The app module builds every page under each kind of configuration (a page that fails to build
takes the whole backend down at start, which only the slow e2e suite would otherwise notice)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.harness import REPO


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"GENAPP_LLM_BASE_URL": "http://127.0.0.1:9/v1", "GENAPP_LLM_MAX_TOKENS": "auto", "GENAPP_IMAGE_PROVIDER": "a1111", "GENAPP_IMAGE_BASE_URL": "http://127.0.0.1:9"},
        {"GENAPP_LLM_BASE_URL": "http://127.0.0.1:9/v1", "GENAPP_LLM_MAX_TOKENS": "1200", "GENAPP_IMAGE_PROVIDER": "openai", "GENAPP_IMAGE_BASE_URL": "http://127.0.0.1:9/v1"},
        {"GENAPP_LLM_BASE_URL": "http://127.0.0.1:9/v1", "GENAPP_LLM_MAX_TOKENS": "unset"},
    ],
    ids=["nothing-configured", "llm-auto-a1111", "llm-capped-openai-images", "llm-unset"],
)
def test_the_app_builds_its_pages(env, tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENAPP_")}
    done = subprocess.run(
        [sys.executable, "-c", "import genapp.genapp"],
        cwd=REPO,
        env={**clean, **env, "GENAPP_DB_URL": f"sqlite:///{tmp_path / 'x.db'}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]

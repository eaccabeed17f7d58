"""One real llama.cpp server for the session (see llama_server.py)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import free_port
from tests.llm.llama_server import LlamaServer


@pytest.fixture(scope="session")
def llama(tmp_path_factory):
    server = LlamaServer(free_port(), ctx=4096, log=tmp_path_factory.mktemp("llama") / "server.log")
    try:
        yield server.start()
    finally:
        server.stop()

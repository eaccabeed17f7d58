"""One real llama.cpp server for the session (see llama_server.py), with a 4,096-token context per request slot."""

from __future__ import annotations

import pytest

from tests.e2e.harness import free_port
from tests.llm.llama_server import LlamaServer


@pytest.fixture(scope="session")
def llama(tmp_path_factory):
    # Three slots: the tests run several jobs at once, as a user with a few generations running does.
    server = LlamaServer(free_port(), ctx=4096, slots=3, log=tmp_path_factory.mktemp("llama") / "server.log")
    try:
        yield server.start()
    finally:
        server.stop()

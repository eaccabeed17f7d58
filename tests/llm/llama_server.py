"""A real llama.cpp HTTP server (the PyPI wheel xllamacpp) serving SmolLM2-135M-Instruct, for tests.

Nobody on this project wrote it: it refuses what llama.cpp refuses and enforces JSON schemas the
way llama.cpp does. Run as a process of its own so a test can stop it like any server:

    python -m tests.llm.llama_server --port 8081 --ctx 4096
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / ".tools" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def serve(port: int, ctx: int, slots: int, threads: int) -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(MODEL)
    params.n_ctx = ctx * slots  # llama.cpp splits the context between its slots
    params.n_parallel = slots
    params.port = port
    params.endpoint_props = True  # GET /props tells the context size, as llama-server does with --props
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    server = xllamacpp.Server(params)  # serves on its own threads until deleted
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"listening on 127.0.0.1:{port}", flush=True)
    stop.wait()
    del server


class LlamaServer:
    """Starts the server as a child process; `url` is its OpenAI-compatible base (with /v1)."""

    def __init__(self, port: int, *, ctx: int = 4096, slots: int = 1, log: Path | None = None):
        self.port, self.ctx, self.slots, self.log = port, ctx, slots, log
        self.process: subprocess.Popen | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.root + "/v1"

    def start(self, timeout: float = 120) -> LlamaServer:
        from tests.e2e.harness import wait_http

        if not MODEL.exists():
            raise RuntimeError(f"{MODEL} is missing: `make test` puts it there (see the Makefile's model target)")
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        command = [sys.executable, "-m", "tests.llm.llama_server", "--port", str(self.port), "--ctx", str(self.ctx), "--slots", str(self.slots)]
        self.process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        wait_http(self.root + "/health", timeout=timeout, process=self.process, log=self.log)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ctx", type=int, default=4096, help="context tokens per request slot")
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    serve(args.port, args.ctx, args.slots, args.threads)

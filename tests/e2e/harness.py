"""Runs the real app for browser tests: frontend and backend as separate processes.

Separate, so a test can stop and start the backend mid-job while the page stays open.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, *, timeout: float, process: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited ({process.returncode}) before {url} answered:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s:\n{_tail(log)}")


def _tail(log: Path | None, lines: int = 40) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


class RunningApp:
    def __init__(self, workdir: Path, *, extra_env: dict[str, str] | None = None):
        self.workdir = workdir
        self.frontend_port = free_port()
        self.backend_port = free_port()
        self.db_path = workdir / "e2e.db"
        self.env = {
            **os.environ,
            "GENAPP_DB_URL": f"sqlite:///{self.db_path}",
            "GENAPP_FRONTEND_PORT": str(self.frontend_port),
            "GENAPP_BACKEND_PORT": str(self.backend_port),
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            "PATH": f"{REPO / '.tools/node_modules/.bin'}:{REPO / '.venv/bin'}:{os.environ['PATH']}",
            **(extra_env or {}),
        }
        self.backend: subprocess.Popen | None = None
        self.frontend: subprocess.Popen | None = None
        self.backend_starts = 0

    @property
    def url(self) -> str:
        return f"http://localhost:{self.frontend_port}"

    @property
    def backend_url(self) -> str:
        return f"http://localhost:{self.backend_port}"

    def _spawn(self, args: list[str], log: Path) -> subprocess.Popen:
        return subprocess.Popen(
            ["reflex", "run", *args, "--loglevel", "info"],
            cwd=REPO,
            env=self.env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops its children
        )

    def start_backend(self) -> None:
        self.backend_starts += 1
        log = self.workdir / "backend.log"
        self.backend = self._spawn(["--backend-only", "--backend-port", str(self.backend_port)], log)
        wait_http(f"{self.backend_url}/ping", timeout=120, process=self.backend, log=log)

    def stop_backend(self) -> None:
        _stop(self.backend)
        self.backend = None

    def start_frontend(self) -> None:
        log = self.workdir / "frontend.log"
        self.frontend = self._spawn(["--frontend-only", "--frontend-port", str(self.frontend_port)], log)
        wait_http(self.url, timeout=300, process=self.frontend, log=log)

    def start(self) -> None:
        self.start_backend()
        self.start_frontend()

    def start_prod(self) -> None:
        """A production build served by the backend on one port (what users run with --env prod)."""
        self.frontend_port = self.backend_port
        log = self.workdir / "backend.log"
        self.backend = self._spawn(["--env", "prod", "--single-port", "--backend-port", str(self.backend_port)], log)
        wait_http(f"{self.backend_url}/ping", timeout=600, process=self.backend, log=log)
        wait_http(self.url, timeout=60, process=self.backend, log=log)

    def start_served(self) -> None:
        """What `make run` serves: scripts/serve.py, a production build on two ports (UI and backend),
        the frontend built first if its inputs (code, lock files, settings such as the ports) changed."""
        log = self.workdir / "serve.log"
        self.backend = subprocess.Popen(
            [str(REPO / ".venv/bin/python"), str(REPO / "scripts/serve.py"), "run"],
            cwd=REPO,
            env=self.env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # SIGTERM to its group: serve.py stops both servers
        )
        wait_http(f"{self.backend_url}/ping", timeout=900, process=self.backend, log=log)
        wait_http(self.url, timeout=60, process=self.backend, log=log)

    def stop(self) -> None:
        _stop(self.frontend)
        _stop(self.backend)


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass

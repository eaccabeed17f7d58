"""The scaled mode as `make run-scaled` runs it, for browser tests and benches: processes, logs, tabs.

A fresh Postgres database, Redis (a channel and a database number of its own), two `reflex run --env
prod --backend-only` backends with one server worker each, the round-robin balancer in front of them
(the bundle's one backend URL), `genapp worker` process(es), and the production UI; each process in
its own group with its own log. Which backend holds a tab is read from the balancer's log.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Page

from tests.e2e.harness import REPO, _stop, free_port, wait_http

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_HOST = "redis://127.0.0.1:6379"


def _load_scaled():
    spec = importlib.util.spec_from_file_location("genapp_scaled_script", REPO / "scripts" / "scaled.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def figure(text: str) -> None:
    print(f"FIGURE: {text}", flush=True)


class ScaledApp:
    """Two backends behind the balancer, a worker, the UI; each process in its own group, its own log."""

    def __init__(self, workdir: Path, database: str, redis_db: int, *, workers: int = 1, worker_env: dict[str, str] | None = None):
        self.scaled = _load_scaled()
        self.workdir = workdir
        self.ui_port, self.public_port = free_port(), free_port()
        self.backend_ports = [free_port(), free_port()]
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GENAPP_", "REFLEX_"))}
        self.env = self.scaled.scaled_environment(
            {
                **base,
                "PATH": f"{REPO / '.tools/node_modules/.bin'}:{REPO / '.venv/bin'}:{os.environ['PATH']}",
                "REFLEX_USE_SYSTEM_BUN": "1",
                "REFLEX_TELEMETRY_ENABLED": "false",
                "REFLEX_CHECK_LATEST_VERSION": "false",
                "PYTHONUNBUFFERED": "1",
                # A web dir of its own: the session's other app keeps REPO/.web, and a build into it would change its backend URL.
                "REFLEX_WEB_WORKDIR": str(workdir / "web"),
                "REFLEX_STATES_WORKDIR": str(workdir / "states"),
                "GENAPP_DB_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
                "GENAPP_REDIS_URL": f"{REDIS_HOST}/{redis_db}",  # Reflex's tab states go to a database of their own
                "GENAPP_REDIS_CHANNEL": f"genapp:e2e:{secrets.token_hex(4)}",
                "GENAPP_MEDIA_DIR": str(workdir / "media"),
                "GENAPP_FRONTEND_PORT": str(self.ui_port),
                "GENAPP_BACKEND_PORT": str(self.public_port),
                "GENAPP_DEFAULT_TEXT_SOURCE": "procedural",
                "GENAPP_DEFAULT_IMAGE_SOURCE": "procedural",
                "GENAPP_QA_PAGE": "on",  # off by default in the scaled mode; the tests and the bench drive it
            }
        )
        self.workers, self.worker_env = workers, worker_env or {}
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return f"http://localhost:{self.ui_port}"

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def spawn(self, name: str, args: list[str], **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            args, cwd=REPO, env={**self.env, **env}, stdout=self.log(name).open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def start(self) -> None:
        started = time.monotonic()
        self.scaled.migrate(self.env)
        with self.log("build").open("ab") as log:
            subprocess.run([sys.executable, str(REPO / "scripts/serve.py"), "build"], cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=True)
        figure(f"scaled setup: migrate + frontend build {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        for port in self.backend_ports:
            self.spawn(f"backend-{port}", self.scaled.backend_command(port))
        for i in range(self.workers):
            self.spawn(f"worker-{i}", self.scaled.worker_command(), **self.worker_env)
        self.spawn("balancer", self.scaled.balancer_command(self.public_port, self.backend_ports))
        self.spawn("ui", self.scaled.ui_command("127.0.0.1", self.ui_port))
        for port in self.backend_ports:
            wait_http(f"http://localhost:{port}/ping", timeout=180, process=self.processes[f"backend-{port}"], log=self.log(f"backend-{port}"))
        wait_http(f"http://localhost:{self.public_port}/ping", timeout=30, process=self.processes["balancer"], log=self.log("balancer"))
        wait_http(self.url, timeout=60, process=self.processes["ui"], log=self.log("ui"))
        figure(f"scaled setup: two backends, worker, balancer and UI answering {time.monotonic() - started:.1f} s")

    def kill_backend(self, port: int) -> None:
        """kill -9 of the backend's whole process group (the `reflex run` process and its server worker)."""
        process = self.processes[f"backend-{port}"]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def backend_of(self, token: str, connections: int, timeout: float = 15.0) -> int:
        """The backend port the balancer gave the tab's latest websocket (its `connections`-th with this token)."""
        tag = hashlib.sha256(token.encode()).hexdigest()[:12]
        pattern = re.compile(rf"websocket \S+ token={tag} -> [\d.]+:(\d+)")
        deadline = time.monotonic() + timeout
        while True:
            ports = [int(m.group(1)) for m in pattern.finditer(self.log("balancer").read_text(errors="replace"))]
            if len(ports) >= connections:
                return ports[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"the balancer logged {len(ports)} of {connections} websocket(s) for token {tag}")
            time.sleep(0.05)  # polling a log file with a deadline

    def stop(self) -> None:
        for process in self.processes.values():
            _stop(process)


class Tab:
    """A page and the tokens of the websockets it opened (the balancer logs where each one went)."""

    def __init__(self, page: Page, name: str):
        self.page, self.name = page, name
        self.tokens: list[str] = []
        self.frames: list[str] = []  # socket.io messages received, in order
        page.on("websocket", self._opened)

    def _opened(self, ws) -> None:
        if match := re.search(r"[?&]token=([^&]+)", ws.url):
            self.tokens.append(match.group(1))
        ws.on("framereceived", lambda payload: self.frames.append(payload if isinstance(payload, str) else payload.decode(errors="replace")))

    def pushes_about(self, job_id: str, since: int = 0) -> list[str]:
        """The state updates ("event" messages) received since frame `since` that carry the job."""
        return [f for f in self.frames[since:] if f.startswith('42/_event,["event"') and job_id in f]

    def backend(self, app: ScaledApp) -> int:
        self.page.wait_for_function("() => true")  # let Playwright deliver pending websocket events
        assert self.tokens, f"{self.name} opened no websocket"
        token = self.tokens[-1]
        return app.backend_of(token, self.tokens.count(token))




class ServicesMissing(RuntimeError):
    """Postgres or Redis on this machine could not be reached or started."""


@contextlib.contextmanager
def running_scaled(workdir: Path, **options) -> Iterator[ScaledApp]:
    """A started ScaledApp on a database of its own, dropped afterwards (even when the start fails)."""
    import redis
    import sqlalchemy as sa

    try:  # as make run-scaled does: started if down
        _load_scaled().ensure_services({"GENAPP_DB_URL": ADMIN_URL, "GENAPP_REDIS_URL": f"{REDIS_HOST}/0"})
    except (SystemExit, subprocess.CalledProcessError) as exc:
        raise ServicesMissing(f"Postgres and Redis on this machine are needed: {exc}") from exc
    if not redis.Redis.from_url(f"{REDIS_HOST}/0", socket_connect_timeout=2).ping():
        raise ServicesMissing("Redis at 127.0.0.1:6379 is needed")
    database = f"genapp_e2e_{secrets.token_hex(4)}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    except sa.exc.OperationalError as exc:
        raise ServicesMissing(f"Postgres at 127.0.0.1:5432 is needed: {exc}") from exc
    app = None
    try:
        app = ScaledApp(workdir, database, redis_db=random.randint(1, 15), **options)
        app.start()
        yield app
    finally:
        if app is not None:
            app.stop()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()

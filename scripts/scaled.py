"""Runs genapp's scaled mode on this machine (`make run-scaled`): Postgres, Redis, N backends behind a
round-robin proxy, M job workers, and the UI.

    python scripts/scaled.py [--backends 2] [--workers 2]

    browsers ──> UI :3000 (static files)
    browsers ──> balancer :8000 ──> backend :8001, backend :8002, ...  (reflex run --env prod --backend-only)
                                          │  submit (Procrastinate)  ▲ job events (Redis pub/sub)
                                          ▼                          │
                                 Postgres (jobs, queue) <── genapp worker × M ──> Redis

Steps: Postgres and Redis are started if they do not answer and the URLs name this machine; the
database is created if missing and migrated once; the frontend is built if its inputs changed
(scripts/serve.py's build, whose stamp includes the settings: switching between `make run` and
`make run-scaled` rebuilds); then every process starts in its own process group. A backend or a
worker that dies is started again (1 s, then longer if it keeps dying); if the balancer or the UI
dies, everything stops. Ctrl-C or SIGTERM stops everything (workers get GENAPP_WORKER_SHUTDOWN_SECONDS
to finish their jobs; the rest resume on the next start).

Settings: GENAPP_MODE is set to scaled; GENAPP_DB_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/genapp
unless a PostgreSQL URL is set) and GENAPP_REDIS_URL (default redis://127.0.0.1:6379/0) may be set;
the browsers' backend address is GENAPP_BACKEND_PORT (the balancer), the backends listen on the
ports after it, the UI on GENAPP_FRONTEND_PORT. Each `reflex run` process runs one server worker
(GRANIAN_WORKERS=1: with Redis configured Reflex would start 2 x cores + 1 of them, up to 8, in each).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve  # noqa: E402  (scripts/serve.py: build, environment, process handling)

REPO = serve.REPO
DEFAULT_DB_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/genapp"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


# ----- settings -----------------------------------------------------------------------------


def scaled_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """serve.py's environment with the scaled mode's settings: defaults only where nothing usable is set."""
    env = serve.environment() if base is None else dict(base)
    env["GENAPP_MODE"] = "scaled"
    config = _settings(env)
    if not config.db_url.startswith("postgresql"):
        env["GENAPP_DB_URL"] = DEFAULT_DB_URL
    if not config.redis_url:
        env["GENAPP_REDIS_URL"] = DEFAULT_REDIS_URL
    media = Path(config.media_dir)
    env["GENAPP_MEDIA_DIR"] = str(media if media.is_absolute() else REPO / media)  # backends serve what workers write
    env.setdefault("GRANIAN_WORKERS", "1")  # one server worker per `reflex run` (see the docstring)
    return env


def _settings(env: dict[str, str]):
    """The settings a process started with `env` reads (its GENAPP_* variables, then .env)."""
    from genapp.config import Settings

    saved = {k: v for k, v in os.environ.items() if k.startswith("GENAPP_")}
    try:
        for key in saved:
            os.environ.pop(key)
        os.environ.update({k: v for k, v in env.items() if k.startswith("GENAPP_")})
        return Settings()
    finally:
        for key in [k for k in os.environ if k.startswith("GENAPP_")]:
            os.environ.pop(key)
        os.environ.update(saved)


# ----- Postgres, Redis, the database ----------------------------------------------------------


def _url_host_port(url: str, default_port: int) -> tuple[str, int]:
    from urllib.parse import urlsplit

    split = urlsplit(url)
    return split.hostname or "", split.port or default_port


def _root_prefix() -> str:
    return "" if os.geteuid() == 0 or not shutil.which("sudo") else "sudo "


def _wait(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not come up within {timeout:.0f} s.")
        time.sleep(0.2)


def postgres_answers(db_url: str) -> bool:
    host, port = _url_host_port(db_url, 5432)
    if shutil.which("pg_isready"):
        return subprocess.run(["pg_isready", "-q", "-h", host or "127.0.0.1", "-p", str(port)], check=False).returncode == 0
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host or "127.0.0.1", port)) == 0


def redis_answers(redis_url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


def ensure_services(env: dict[str, str]) -> None:
    """Start the local Postgres and Redis when they do not answer (only when the URLs name this machine)."""
    db_url, redis_url = env["GENAPP_DB_URL"], env["GENAPP_REDIS_URL"]
    for name, answers, url, start, default_port in (
        ("Postgres", postgres_answers, db_url, START_POSTGRES, 5432),
        ("Redis", redis_answers, redis_url, START_REDIS, 6379),
    ):
        if answers(url):
            continue
        host, port = _url_host_port(url, default_port)
        if host not in LOCAL_HOSTS or port != default_port:
            raise SystemExit(f"{name} at {host}:{port} does not answer; start it, or fix the URL.")
        print(f"{name} does not answer: starting it ({start.split()[0]})", flush=True)
        subprocess.run(_root_prefix() + start, shell=True, check=True)
        _wait(lambda: answers(url), name)


def ensure_database(db_url: str) -> None:
    """CREATE DATABASE when it does not exist (through the server's `postgres` database)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}).first() is None:
                conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
                print(f"Created the database {url.database}.", flush=True)
    finally:
        admin.dispose()


def migrate(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "genapp.cli", "migrate"], cwd=REPO, env=env, check=True)


# ----- the processes --------------------------------------------------------------------------


def backend_command(port: int) -> list[str]:
    return [serve._reflex(), "run", "--env", "prod", "--backend-only", "--backend-port", str(port)]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "genapp.cli", "worker"]


def balancer_command(listen: int, backend_ports: list[int]) -> list[str]:
    args = [sys.executable, str(REPO / "scripts" / "balancer.py"), "--listen", str(listen)]
    for port in backend_ports:
        args += ["--backend", f"127.0.0.1:{port}"]
    return args


def ui_command(host: str, port: int) -> list[str]:
    return serve.frontend_command(host, port)


@dataclass
class Managed:
    name: str
    args: list[str]
    restart: bool  # started again when it dies; otherwise its death stops everything
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    due: float = 0.0  # when a dead one is started again
    threads: list[threading.Thread] = field(default_factory=list)


def _prefix_output(stream, name: str) -> None:
    for raw in iter(stream.readline, b""):
        sys.stdout.write(f"[{name}] {raw.decode(errors='replace').rstrip()}\n")
        sys.stdout.flush()
    stream.close()


def start(managed: Managed, env: dict[str, str]) -> None:
    managed.process = subprocess.Popen(
        managed.args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    managed.started_at = time.monotonic()
    thread = threading.Thread(target=_prefix_output, args=(managed.process.stdout, managed.name), daemon=True)
    thread.start()
    managed.threads = [thread]


def supervise(env: dict[str, str], *, backends: int, workers: int, frontend_port: int, public_port: int, host: str) -> int:
    backend_ports = [public_port + 1 + i for i in range(backends)]
    busy = [str(p) for p in (frontend_port, public_port, *backend_ports) if not serve._port_free(p)]
    if busy:
        print(f"Port {', '.join(busy)} already in use: stop what runs there or set GENAPP_FRONTEND_PORT / GENAPP_BACKEND_PORT.", file=sys.stderr)
        return 1
    managed = [Managed(f"backend-{port}", backend_command(port), restart=True) for port in backend_ports]
    managed += [Managed(f"worker-{i + 1}", worker_command(), restart=True) for i in range(workers)]
    managed += [Managed("balancer", balancer_command(public_port, backend_ports), restart=False)]
    managed += [Managed("ui", ui_command(host, frontend_port), restart=False)]

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    try:
        for item in managed:
            start(item, env)
        announced = False
        while True:
            now = time.monotonic()
            for item in managed:
                if item.process is not None and item.process.poll() is None:
                    if now - item.started_at > 60:
                        item.failures = 0  # it stayed up: a later death restarts at once again
                    continue
                if item.process is not None:  # it just died
                    code = item.process.returncode
                    item.process = None
                    if not item.restart:
                        print(f"{item.name} exited with code {code}; stopping everything.", file=sys.stderr, flush=True)
                        return code or 1
                    item.failures += 1
                    delay = min(30.0, 2.0 ** (item.failures - 1))
                    item.due = now + delay
                    print(f"{item.name} exited with code {code}; starting it again in {delay:.0f} s.", file=sys.stderr, flush=True)
                elif now >= item.due:
                    start(item, env)
            if not announced and all(serve._answers(f"http://localhost:{p}/ping") for p in backend_ports) and serve._answers(
                f"http://localhost:{frontend_port}/"
            ):
                print(
                    f"genapp (scaled) is up: UI http://localhost:{frontend_port}   backend http://localhost:{public_port} "
                    f"(balancer over {', '.join(map(str, backend_ports))})   {workers} worker(s)   (Ctrl-C stops)",
                    flush=True,
                )
                announced = True
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        serve._stop_all(tuple(item.process for item in managed if item.process is not None))


def prepare(env: dict[str, str]) -> None:
    """Services up, database there and migrated, frontend built."""
    ensure_services(env)
    ensure_database(env["GENAPP_DB_URL"])
    migrate(env)
    os.environ.update({k: v for k, v in env.items() if k.startswith("GENAPP_")})  # the build's stamp reads the settings here
    serve.ensure_build(env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--backends", type=int, default=int(os.environ.get("BACKENDS", 2)), help="backend processes (default 2)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 2)), help="`genapp worker` processes (default 2)")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "prepare"], help="prepare: everything but starting the app")
    args = parser.parse_args(argv)
    os.chdir(REPO)
    sys.path.insert(0, str(REPO))
    env = scaled_environment()
    config = _settings(env)
    prepare(env)
    if args.command == "prepare":
        return 0
    return supervise(
        env, backends=args.backends, workers=args.workers, frontend_port=config.frontend_port, public_port=config.backend_port, host="0.0.0.0"
    )


if __name__ == "__main__":
    sys.exit(main())

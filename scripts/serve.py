"""Serves genapp on two ports: the UI on GENAPP_FRONTEND_PORT (3000), the backend on GENAPP_BACKEND_PORT (8000).

    python scripts/serve.py [run]   production build (`make run`); built only when its inputs changed
    python scripts/serve.py build   only (re)build the production frontend if its inputs changed
    python scripts/serve.py dev     Reflex's dev server with hot reload (`make dev`)

Reflex 0.10.1 serves a production build either on one port (`reflex run --env prod`, the backend
mounting the built files) or, with --frontend-only, from a second process that compiles and rebuilds
the frontend on every start. So `run` does the two halves itself:
- the build is `reflex export --frontend-only --no-zip` into .web/build/client, done only when the hash
  of its inputs differs from the one stored beside the last build (.web/build/genapp-inputs.sha256).
  Inputs: genapp/**, assets/**, rxconfig.py, pyproject.toml, uv.lock, reflex.lock/*, the bun lock, and
  the effective GENAPP_* settings (the backend URL is compiled into the bundle, some pages show
  settings). Any other build into .web (e.g. `reflex run --env prod`) deletes .web/build, so the stamp
  goes with it and the next start rebuilds.
- the backend is `reflex run --env prod --backend-only`;
- the UI is scripts/frontend.py: the built files as Reflex's own production static server
  (`reflex.utils.exec.run_frontend_prod`) serves them, plus a Content-Security-Policy and other
  security headers.
Stop with Ctrl-C or SIGTERM: both servers are stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INPUT_DIRS = ("genapp", "assets")
INPUT_FILES = ("rxconfig.py", "pyproject.toml", "uv.lock", "reflex.lock/package.json", "reflex.lock/bun.lock", ".tools/package-lock.json")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}
SKIPPED_DIRS = (("assets", "external"),)  # written by Reflex's compile itself


def environment() -> dict[str, str]:
    """What the Makefile exports, for a run outside make too."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(REPO / ".tools/node_modules/.bin"), str(Path(sys.executable).parent), env.get("PATH", "")])
    for name, value in (("REFLEX_USE_SYSTEM_BUN", "1"), ("REFLEX_TELEMETRY_ENABLED", "false"), ("REFLEX_CHECK_LATEST_VERSION", "false"), ("PYTHONUNBUFFERED", "1")):
        env.setdefault(name, value)
    return env


def web_dir() -> Path:
    return REPO / os.environ.get("REFLEX_WEB_WORKDIR", ".web")


def stamp_path() -> Path:
    return web_dir() / "build" / "genapp-inputs.sha256"


def settings_view() -> dict:
    from genapp.config import Settings

    return Settings().model_dump(mode="json")  # keys dump as "**********" when set, "" when not


def input_files() -> list[Path]:
    files = [REPO / name for name in INPUT_FILES if (REPO / name).is_file()]
    for top in INPUT_DIRS:
        for path in (REPO / top).rglob("*"):
            rel = path.relative_to(REPO).parts
            if path.is_file() and not SKIPPED_PARTS.intersection(rel) and path.suffix != ".pyc" and rel[:2] not in SKIPPED_DIRS:
                files.append(path)
    return sorted(files, key=lambda p: p.relative_to(REPO).as_posix())


def input_hash() -> str:
    digest = hashlib.sha256()
    for path in input_files():
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(settings_view(), sort_keys=True).encode())
    return digest.hexdigest()


def build_is_current(wanted: str) -> bool:
    stamp = stamp_path()
    index = web_dir() / "build" / "client" / "index.html"
    return index.is_file() and stamp.is_file() and stamp.read_text().strip() == wanted


def ensure_build(env: dict[str, str]) -> None:
    wanted = input_hash()
    if build_is_current(wanted):
        print(f"Frontend build is current ({stamp_path().relative_to(REPO)}): reusing it.", flush=True)
        return
    print("Building the production frontend (its inputs changed or there is no build yet)...", flush=True)
    started = time.monotonic()
    subprocess.run([_reflex(), "export", "--frontend-only", "--no-zip", "--env", "prod"], cwd=REPO, env=env, check=True)
    after = input_hash()
    if after != wanted:
        print("Inputs changed during the build; the next start builds again.", flush=True)
    else:
        stamp_path().write_text(wanted + "\n")
    print(f"Frontend built in {time.monotonic() - started:.0f} s.", flush=True)


def frontend_command(host: str, port: int) -> list[str]:
    return [sys.executable, str(REPO / "scripts" / "frontend.py"), "--host", host, "--port", str(port)]


def _reflex() -> str:
    return str(Path(sys.executable).parent / "reflex")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except Exception:
        return False


def _stop_all(processes: tuple[subprocess.Popen, ...], grace: float = 15) -> None:
    """SIGTERM to each server's process group at once, SIGKILL to what is left after `grace` seconds."""
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)


def serve(env: dict[str, str], frontend_port: int, backend_port: int, host: str) -> int:
    busy = [str(p) for p in (frontend_port, backend_port) if not _port_free(p)]
    if busy:
        print(f"Port {' and '.join(busy)} already in use: stop what runs there or set GENAPP_FRONTEND_PORT / GENAPP_BACKEND_PORT.", file=sys.stderr)
        return 1
    ensure_build(env)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT too: a shell starting `make run &` ignores it
        signal.signal(signum, on_signal)
    servers: list[subprocess.Popen] = []
    try:
        # Each server in its own process group, so stopping one stops its workers too.
        servers.append(subprocess.Popen([_reflex(), "run", "--env", "prod", "--backend-only", "--backend-port", str(backend_port)],
                                        cwd=REPO, env=env, start_new_session=True))
        servers.append(subprocess.Popen(frontend_command(host, frontend_port), cwd=REPO, env=env, start_new_session=True))
        announced = False
        while all(p.poll() is None for p in servers):
            if not announced and _answers(f"http://localhost:{backend_port}/ping") and _answers(f"http://localhost:{frontend_port}/"):
                print(f"genapp is up: UI http://localhost:{frontend_port}   backend http://localhost:{backend_port}   (Ctrl-C stops)", flush=True)
                announced = True
            time.sleep(0.5)
        failed = next(p for p in servers if p.poll() is not None)
        print(f"{'backend' if failed is servers[0] else 'frontend server'} exited with code {failed.returncode}; stopping.", file=sys.stderr)
        return failed.returncode or 1
    except KeyboardInterrupt:
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second Ctrl-C does not cut the shutdown short
            signal.signal(signum, signal.SIG_IGN)
        _stop_all(tuple(servers))


def main() -> int:
    os.chdir(REPO)
    sys.path.insert(0, str(REPO))
    from genapp.config import settings

    env = environment()
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "build":
        ensure_build(env)
        return 0
    if command == "dev":
        args = [_reflex(), "run", "--frontend-port", str(settings.frontend_port), "--backend-port", str(settings.backend_port)]
        os.execve(args[0], args, env)
    if command == "run":
        return serve(env, settings.frontend_port, settings.backend_port, host="0.0.0.0")
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

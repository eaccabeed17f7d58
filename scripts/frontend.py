"""The UI server of `make run` and `make run-scaled`: the production build with security headers.

    python scripts/frontend.py --host 0.0.0.0 --port 3000

What it serves is what Reflex's own `reflex.utils.exec.run_frontend_prod` serves (it uses the same
mount: each route's prerendered HTML, the SPA fallback for dynamic routes, the 404 page, gzip sidecars),
under uvicorn, with on every response:
- Content-Security-Policy (genapp/csp.py), on all but /assets/: the build's inline scripts by hash, the
  backend's origin as the page reaches it (from the request's Host header), no framing;
- X-Frame-Options, X-Content-Type-Options, Referrer-Policy;
- Cache-Control: /assets/ names carry a content hash, so a year and immutable; the rest (the HTML,
  genapp.css) no-cache, revalidated by ETag.
The script hashes are read from the build's HTML at start, and again whenever index.html changes (a
`make build` while this runs replaces the files).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from genapp.csp import OTHER_HEADERS, build_script_hashes, content_security_policy  # noqa: E402

ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"


class BuildHashes:
    """The inline-script hashes of the build in `client_dir`, recomputed when its index.html changes."""

    def __init__(self, client_dir: Path):
        self.client_dir = client_dir
        self._key: tuple[int, int] | None = None
        self._hashes: list[str] = []

    def get(self) -> list[str]:
        try:
            stat = (self.client_dir / "index.html").stat()
        except FileNotFoundError:  # a build replacing the files right now: keep the last hashes
            return self._hashes
        key = (stat.st_mtime_ns, stat.st_size)
        if key != self._key:
            self._hashes, self._key = build_script_hashes(self.client_dir), key
        return self._hashes


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response of `app`."""

    def __init__(self, app: ASGIApp, *, hashes: BuildHashes, api_url: str, assets_prefix: str = "/assets/"):
        self.app, self.hashes, self.api_url, self.assets_prefix = app, hashes, api_url, assets_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asset = scope["path"].startswith(self.assets_prefix)
        if not asset:
            host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
            scheme = scope.get("scheme", "http")
            policy = content_security_policy(
                script_hashes=self.hashes.get(), api_url=self.api_url, host_header=host, scheme=scheme
            )

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # Pages only, told by path (a 304 has no content type): /assets/ holds none, and ~1.5 KB on each would add up.
                if not asset:
                    headers["Content-Security-Policy"] = policy
                for name, value in OTHER_HEADERS.items():
                    headers[name] = value
                headers["Cache-Control"] = ASSET_CACHE if asset and message["status"] in (200, 304) else PAGE_CACHE
            await send(message)

        await self.app(scope, receive, send_secured)


def create_app() -> ASGIApp:
    from reflex.utils.exec import get_frontend_mount
    from reflex.utils.prerequisites import get_web_dir
    from reflex_base import constants
    from reflex_base.config import get_config

    config = get_config()
    client_dir = get_web_dir() / constants.Dirs.STATIC / config.frontend_path.strip("/")
    static = Starlette(routes=[get_frontend_mount()])  # what run_frontend_prod serves (reflex.utils.exec._frontend_prod_app)
    return SecurityHeaders(
        static, hashes=BuildHashes(client_dir), api_url=config.api_url, assets_prefix=config.prepend_frontend_path("/assets/")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.chdir(REPO)  # Reflex reads rxconfig.py, and .web unless REFLEX_WEB_WORKDIR says otherwise, from here
    import uvicorn

    app = create_app()
    if not (app.hashes.client_dir / "index.html").is_file():
        print(f"No frontend build in {app.hashes.client_dir}: run `python scripts/serve.py build` first.", file=sys.stderr)
        return 1
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

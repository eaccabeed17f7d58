"""The Content-Security-Policy and other security headers of the app's pages (production build only).

scripts/frontend.py puts them on every response of the built frontend. Inline <script>s are allowed
only by the sha256 of the ones the build's HTML really contains (React Router's and Reflex's
bootstrap), never by 'unsafe-inline'.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

# Reflex's getBackendURL (reflex_base/.templates/web/utils/state.js) puts the page's own host name in
# place of these in the compiled backend URL, so the socket follows the name the page was opened by.
SAME_DOMAIN_HOSTNAMES = {"localhost", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"}
# A host name or IPv4 address, with an optional port: what a CSP host-source can say (no IPv6 literals),
# and nothing that could smuggle a directive (";", spaces, quotes) in from the Host header.
_HOST = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::\d{1,5})?$")

# Reflex runs toasts and rx.call_script by eval()-ing the JavaScript the server sends (state.js,
# _call_function / _call_script): without 'unsafe-eval' no server-sent toast shows.
UNSAFE_EVAL = True

OTHER_HEADERS = {
    "X-Frame-Options": "DENY",  # for browsers without frame-ancestors
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # script bodies stay raw: HTMLParser reads them as CDATA
        self.bodies: list[str] = []
        self._body: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._body = []

    def handle_data(self, data):
        if self._body is not None:
            self._body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._body is not None:
            self.bodies.append("".join(self._body))
            self._body = None


def inline_script_hashes(html: str) -> list[str]:
    """The CSP source ('sha256-...') of each inline <script> of a page, in order."""
    parser = _InlineScripts()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))  # the browser hashes the text after newline normalisation
    parser.close()
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in parser.bodies]


def build_script_hashes(client_dir: Path) -> list[str]:
    """Every inline script's hash over every HTML file of a build, each once, in a stable order."""
    found: dict[str, None] = {}
    for page in sorted(client_dir.rglob("*.html")):
        found.update(dict.fromkeys(inline_script_hashes(page.read_text(encoding="utf-8"))))
    return list(found)


def page_host(host_header: str | None) -> str | None:
    """The host name of the Host header, or None when it is missing or not a plain name or IPv4 address."""
    match = _HOST.match(host_header or "")
    return match.group(1).lower() if match else None


def backend_origins(api_url: str, host: str | None, scheme: str = "http") -> tuple[str, str]:
    """The backend's (http, ws) origins as the bundle reaches them from a page at scheme://host (getBackendURL)."""
    url = urlsplit(api_url)
    name, port, http = url.hostname or "localhost", url.port, url.scheme or "http"
    if host and name in SAME_DOMAIN_HOSTNAMES:
        name = host
        if scheme == "https":  # state.js: https pages reach the backend on the default port (a proxy in front)
            return f"https://{name}", f"wss://{name}"
    origin = f"{name}:{port}" if port else name
    return f"{http}://{origin}", f"{'wss' if http == 'https' else 'ws'}://{origin}"


def _origin(url: str) -> str:
    split = urlsplit(url)
    return f"{split.scheme}://{split.netloc}"


def content_security_policy(*, script_hashes: Iterable[str], api_url: str, host_header: str | None, scheme: str = "http") -> str:
    http, ws = backend_origins(api_url, page_host(host_header), scheme)
    # Image URLs of provider pictures are api_url + /media/... as the server writes them (genapp/state/results.py).
    backend_http = " ".join(dict.fromkeys([http, _origin(api_url)]))
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *(["'unsafe-eval'"] if UNSAFE_EVAL else []), *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",  # emotion and Radix write <style> elements and style attributes at run time
        "img-src": f"'self' data: blob: {backend_http}",
        "font-src": "'self' data:",  # the bundled CSS inlines a font as a data: URL
        "connect-src": f"'self' {http} {ws}",
        "form-action": f"'self' {backend_http}",  # sign-in forms post to the backend's /auth/ routes
        "frame-ancestors": "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())

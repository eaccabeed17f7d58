"""The pages' Content-Security-Policy and security headers, on the app as `make run` serves it.

scripts/frontend.py serves the production build; these check its headers over HTTP on every route the
app registers, then in Chromium: a user's whole session breaks no rule of the policy, an inline script
that found its way into the page does not run, and another site cannot frame the app.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from genapp.csp import inline_script_hashes
from tests.e2e.conftest import VIEWPORT, screenshot
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import ROW, open_page

pytestmark = pytest.mark.e2e

# Every violation the page reports: to Python (an exposed function outlives the page's navigations), and
# to window.__cspSeen, for a test to wait on.
REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e => {
  const v = {directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber};
  (window.__cspSeen = window.__cspSeen || []).push(v);
  window.__cspViolation(v);
});"""


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy")
    assert header, f"{response.url} has no Content-Security-Policy"
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def page_paths(app: RunningApp) -> dict[str, int]:
    """Each route the app registers (the build's route manifest), as a path to request, with its status."""
    routes = json.loads((Path(app.env["REFLEX_WEB_WORKDIR"]) / "routes.json").read_text())
    assert {"index", "dashboard", "dashboard/character", "dashboard/jobs/[job_id]", "dashboard/settings", "404"} <= set(routes)
    paths = {"/" + re.sub(r"\[[^\]]+\]", "some-job-id", route): 200 for route in routes if route not in ("index", "404")}
    return {"/": 200, **paths, "/404": 404, "/no/such/page": 404}


def check_page_headers(response, app: RunningApp, host: str = "localhost") -> None:
    assert response.headers["content-type"].startswith("text/html")
    policy = policy_of(response)
    backend_http, backend_ws = f"http://{host}:{app.backend_port}", f"ws://{host}:{app.backend_port}"
    assert policy["default-src"] == ["'self'"]
    script_src = policy["script-src"]
    assert script_src[0] == "'self'" and "'unsafe-inline'" not in script_src and not any("*" in s for s in script_src)
    # the inline scripts this very page carries are allowed, by hash
    assert set(inline_script_hashes(response.text)) <= set(script_src), "an inline script of the page is not in script-src"
    assert backend_http in policy["connect-src"] and backend_ws in policy["connect-src"]
    assert {"'self'", "data:", "blob:", backend_http} <= set(policy["img-src"])
    assert {"'self'", backend_http} <= set(policy["form-action"])
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["cache-control"] == "no-cache"


def test_every_page_route_sends_the_policy_and_the_security_headers(served_app: RunningApp):
    with httpx.Client(base_url=served_app.url, follow_redirects=True, timeout=20) as client:
        for path, status in page_paths(served_app).items():
            response = client.get(path)
            assert response.status_code == status, path
            check_page_headers(response, served_app)
        # opened as 127.0.0.1, the page's socket goes to 127.0.0.1 (Reflex's getBackendURL): the policy follows the Host
        by_ip = client.get("/dashboard/", headers={"Host": f"127.0.0.1:{served_app.frontend_port}"})
        check_page_headers(by_ip, served_app, host="127.0.0.1")
        # assets: content-hashed names, cached for good; no page among them, so no policy
        script = re.search(r'src="(/assets/[^"]+\.js)"|href="(/assets/[^"]+\.js)"', client.get("/dashboard/").text)
        asset = client.get(script.group(1) or script.group(2))
        assert asset.status_code == 200 and asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.headers["x-content-type-options"] == "nosniff"


def watch(page: Page) -> tuple[list[dict], list[str]]:
    """Collect the page's CSP violations and console errors, from its first script on."""
    violations: list[dict] = []
    errors: list[str] = []
    page.expose_function("__cspViolation", lambda violation: violations.append(violation))
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message) -> None:
        # The browser's own favicon request: the app has no favicon.ico (404), which is not the policy's doing.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} at {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return violations, errors


def test_a_users_session_breaks_no_rule_of_the_policy(served_page: Page):
    page = served_page
    violations, errors = watch(page)
    open_page(page, "/dashboard")
    page.get_by_role("link", name="Character").first.click()  # client-side navigation, as a user goes
    expect(page).to_have_url(re.compile(r"/dashboard/character/?$"))
    page.get_by_test_id("prompt-input").fill("a grumpy dwarven blacksmith")
    page.get_by_test_id("generate-button").click()
    first = page.locator(ROW).first
    expect(first).to_have_attribute("data-status", "complete", timeout=30_000)
    # the job-complete toast: the server sends it as JavaScript that Reflex eval()s ('unsafe-eval')
    expect(page.locator("[data-sonner-toast]").filter(has_text="ready")).to_be_visible()
    expect(page.get_by_test_id("result-panel").get_by_test_id("result-image")).to_be_visible()
    job_id = first.get_attribute("data-job-id")
    # The job page by its address (a full load, as from a bookmark): the SPA fallback page and its policy.
    # Not through the tile's link: on the production build that client-side navigation often shows
    # "Job not found", with Reflex's own static server as well (a bug of the page, not of the policy).
    response = open_page(page, f"/dashboard/jobs/{job_id}")
    assert "content-security-policy" in response.headers
    expect(page.get_by_test_id("result-panel")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("result-panel").get_by_role("button", name="Markdown").click()
    assert download.value.suggested_filename.endswith(".md")
    screenshot(page, "csp-job-page")
    page.evaluate("() => 0")  # a round trip: whatever the page reported before it has been delivered
    assert violations == [], violations
    assert errors == [], errors


def test_an_inline_script_put_into_the_page_does_not_run(served_page: Page):
    """innerHTML never runs a <script>; a script element built with DOM APIs would, but for the policy."""
    page = served_page
    violations, _ = watch(page)
    open_page(page, "/dashboard")
    page.evaluate("""() => {
      const script = document.createElement('script');
      script.textContent = 'window.__pwned = "script"';
      document.body.appendChild(script);
      const button = document.createElement('button');
      button.setAttribute('onclick', 'window.__pwned = "handler"');
      document.body.appendChild(button);
      button.click();
    }""")
    # both refusals are reported (events come asynchronously)
    page.wait_for_function(
        "() => ['script-src-elem', 'script-src-attr'].every(d => (window.__cspSeen || []).some(v => v.directive === d))"
    )
    assert page.evaluate("() => window.__pwned") is None
    assert {v["directive"] for v in violations} == {"script-src-elem", "script-src-attr"}, violations
    assert all(v["blocked"] == "inline" for v in violations), violations


class _Framer(BaseHTTPRequestHandler):
    """Another site: a page that frames the app, and a page of its own that it frames too."""

    app_url = ""

    def do_GET(self):
        if self.path == "/":
            body = f'<iframe id="app" src="{self.app_url}/dashboard/"></iframe><iframe id="own" src="/own"></iframe>'
        else:
            body = '<p id="hello">framed</p>'
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_another_site_cannot_frame_the_app(browser: Browser, served_app: RunningApp):
    handler = type("Framer", (_Framer,), {"app_url": served_app.url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        with page.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text, timeout=20_000) as refused:
            page.goto(f"http://localhost:{server.server_port}/")
        assert served_app.url in refused.value.text
        expect(page.frame_locator("#own").locator("#hello")).to_have_text("framed")  # framing as such works on that page
        app_frame = page.locator("#app").element_handle().content_frame()
        assert not app_frame.url.startswith(served_app.url), app_frame.url  # the browser's error page instead
        assert app_frame.locator('[data-testid="active-generations"]').count() == 0
    finally:
        context.close()
        server.shutdown()
        server.server_close()

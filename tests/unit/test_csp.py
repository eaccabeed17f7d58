"""The pages' Content-Security-Policy as genapp/csp.py writes it (the browser's view: tests/e2e/test_csp.py)."""

from __future__ import annotations

import base64
import hashlib

from genapp.csp import backend_origins, build_script_hashes, content_security_policy, inline_script_hashes, page_host

API = "http://localhost:8000"


def sha(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_each_inline_script_is_hashed_as_written_and_external_ones_are_not():
    body = '\nwindow.a = "<b>&amp;</b>";\r\n'
    html = (f'<html><head><script>{body}</script><script src="/assets/x.js"></script></head>'
            '<body><script type="module">import "/y.js";</script></body></html>')
    assert inline_script_hashes(html) == [sha(body.replace("\r\n", "\n")), sha('import "/y.js";')]


def test_a_build_gives_every_hash_once(tmp_path):
    (tmp_path / "index.html").write_text("<script>a()</script><script>b()</script>")
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "index.html").write_text("<script>b()</script><script>c()</script>")
    assert sorted(build_script_hashes(tmp_path)) == sorted([sha("a()"), sha("b()"), sha("c()")])


def test_the_backend_is_where_the_page_host_name_says_as_reflex_reaches_it():
    assert backend_origins(API, "localhost") == ("http://localhost:8000", "ws://localhost:8000")
    assert backend_origins(API, "127.0.0.1") == ("http://127.0.0.1:8000", "ws://127.0.0.1:8000")
    assert backend_origins(API, "genapp.example", "https") == ("https://genapp.example", "wss://genapp.example")
    # a backend URL naming another host stays as it is
    assert backend_origins("https://api.example", "genapp.example") == ("https://api.example", "wss://api.example")


def test_a_host_header_cannot_add_directives():
    assert page_host("127.0.0.1:3000") == "127.0.0.1"
    for hostile in ("evil; script-src *", "a b", "x'y", "[::1]:3000", ""):
        assert page_host(hostile) is None
    policy = directives(content_security_policy(script_hashes=[], api_url=API, host_header="evil; script-src *"))
    assert policy["script-src"][0] == "'self'" and "*" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'", "http://localhost:8000", "ws://localhost:8000"]


def test_the_policy_allows_the_builds_scripts_and_the_backend_and_forbids_inline_script_and_framing():
    policy = directives(content_security_policy(script_hashes=[sha("a()")], api_url=API, host_header="127.0.0.1:3000"))
    assert policy["default-src"] == ["'self'"]
    assert sha("a()") in policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:8000", "ws://127.0.0.1:8000"]
    # images: the page's name for the backend, and api_url as the server writes provider image URLs
    assert policy["img-src"] == ["'self'", "data:", "blob:", "http://127.0.0.1:8000", "http://localhost:8000"]
    assert policy["form-action"] == ["'self'", "http://127.0.0.1:8000", "http://localhost:8000"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]

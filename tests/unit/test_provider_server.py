"""Tests of the fake LLM / image provider (tests/fakes/provider_server.py), driven by real httpx."""

from __future__ import annotations

import base64
import json
import socket
import struct
import sys
import time
import zlib
from pathlib import Path
from typing import Literal

import httpx
import pytest
from pydantic import BaseModel, Field, ValidationError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.provider_server import FakeProviderServer, Fault, generate_from_schema, make_png  # noqa: E402

CHAT = "/v1/chat/completions"


class Spell(BaseModel):
    name: str
    level: int = Field(ge=1, le=9)
    school: Literal["evocation", "illusion", "necromancy"]


class Wizard(BaseModel):
    name: str
    title: str
    age: int = Field(ge=18, le=900)
    alignment: Literal["good", "neutral", "evil"]
    spells: list[Spell] = Field(min_length=3, max_length=3)
    familiar: Spell | None = None
    motto: str = Field(max_length=20)


def schema_format(model: type[BaseModel] = Wizard) -> dict:
    return {"type": "json_schema", "json_schema": {"name": model.__name__, "schema": model.model_json_schema(), "strict": True}}


def chat_body(prompt: str = "A wizard of the northern marches", *, stream: bool = False, schema: bool = True, **extra) -> dict:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": prompt}], "stream": stream, **extra}
    if schema:
        body["response_format"] = schema_format()
    return body


def content_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"]


def sse_data(lines: list[str]) -> list[str]:
    return [line[len("data: ") :] for line in lines if line.startswith("data: ")]


def stream_lines(client: httpx.Client, body: dict) -> list[str]:
    with client.stream("POST", CHAT, json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        return list(response.iter_lines())


def assemble(data: list[str]) -> str:
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.fixture
def server():
    with FakeProviderServer() as srv:
        yield srv


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=5.0) as c:
        yield c


# ---- plain behaviour ----


def test_models_list(server, client):
    response = client.get("/v1/models")
    assert response.status_code == 200
    model = {"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}
    assert response.json() == {"object": "list", "data": [model]}
    assert server.requests[-1].method == "GET" and server.requests[-1].path == "/v1/models"


def test_chat_answer_satisfies_nested_pydantic_schema(server, client):
    text = content_of(client.post(CHAT, json=chat_body()))
    wizard = Wizard.model_validate_json(text)
    assert len(wizard.spells) == 3
    assert wizard.familiar is not None  # all properties are filled, optional ones too
    assert 1 <= len(wizard.name.split()) <= 3 and all(w[0].isupper() for w in wizard.name.split())
    assert "\n  " in text  # pretty-printed like a real model's answer
    # Deterministic for the same request, different for another prompt.
    assert content_of(client.post(CHAT, json=chat_body())) == text
    assert content_of(client.post(CHAT, json=chat_body("A wizard of the south"))) != text
    recorded = server.requests[-1]
    assert recorded.json["response_format"]["json_schema"]["name"] == "Wizard"
    assert recorded.headers["content-type"] == "application/json"


def test_chat_schema_from_fenced_block(client):
    system = f"Answer with JSON only.\n```json-schema\n{json.dumps(Wizard.model_json_schema())}\n```\n"
    body = {"model": "fake-model", "messages": [{"role": "system", "content": system}, {"role": "user", "content": "Go"}]}
    Wizard.model_validate_json(content_of(client.post(CHAT, json=body)))
    body["response_format"] = {"type": "json_object"}  # json_object still takes the schema from the messages
    Wizard.model_validate_json(content_of(client.post(CHAT, json=body)))


def test_chat_without_schema(client):
    assert json.loads(content_of(client.post(CHAT, json=chat_body(schema=False)))) == {"note": "no schema"}


def test_generator_honours_constraints():
    schema = {
        "type": "object",
        "properties": {
            "exact": {"type": "array", "items": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3},
                      "minItems": 5, "maxItems": 5},  # fmt: skip
            "ratio": {"type": "number", "minimum": 0.5, "maximum": 0.75},
            "short": {"type": "string", "minLength": 2, "maxLength": 4},
            "kind": {"enum": ["a", "b"]},
            "fixed": {"const": 7},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
            "tree": {"$ref": "#/$defs/Node"},
        },
        "$defs": {"Node": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}},
    }
    value = generate_from_schema(schema, 1)
    assert len(value["exact"]) == 5 and all(v in (1, 2) for v in value["exact"])
    assert 0.5 <= value["ratio"] <= 0.75
    assert 2 <= len(value["short"]) <= 4
    assert value["kind"] in ("a", "b") and value["fixed"] == 7 and isinstance(value["maybe"], bool)
    assert isinstance(value["tree"]["kids"], list)  # recursion terminates
    assert generate_from_schema(schema, 1) == value


def test_streamed_chat_assembles_to_valid_json(server, client):
    data = sse_data(stream_lines(client, chat_body(stream=True)))
    first, finish = json.loads(data[0]), json.loads(data[-2])
    assert first["object"] == "chat.completion.chunk"
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert finish["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    text = assemble(data)
    assert len(data) > 10  # one event per chars_per_token characters
    Wizard.model_validate_json(text)
    assert text == content_of(client.post(CHAT, json=chat_body()))  # same answer as non-streamed
    record = server.streams[-1]
    assert record.finished is not None and not record.client_closed and record.chunks_sent == len(data)


def test_each_event_is_its_own_http_chunk(server):
    body = json.dumps({"messages": [{"role": "user", "content": "x"}], "stream": True}).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # fmt: skip
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Type: text/event-stream" in head
    events = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        events.append(rest[:size])
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
    assert all(e.startswith(b"data: ") and e.endswith(b"\n\n") and e.count(b"\n\n") == 1 for e in events)
    assert events[-1] == b"data: [DONE]\n\n"


def test_tokens_per_second_paces_the_stream():
    with FakeProviderServer(tokens_per_second=50, chars_per_token=4) as server, httpx.Client(base_url=server.url) as client:
        server.script(Fault.huge(20))  # exactly 5 content events of 4 characters
        started = time.monotonic()
        data = sse_data(stream_lines(client, chat_body(stream=True)))
        assert time.monotonic() - started >= 0.08
        assert len(assemble(data)) == 20 and len(data) == 5 + 3


def test_slow_fault_overrides_the_rate(server, client):
    server.script(Fault.slow(50))
    started = time.monotonic()
    text = assemble(sse_data(stream_lines(client, chat_body(stream=True, schema=False))))
    assert time.monotonic() - started >= 0.1  # 25 characters = 7 tokens at 50/s
    assert json.loads(text) == {"note": "no schema"}


def test_keep_alive_serves_several_requests_on_one_connection(server, client):
    assert client.get("/v1/models").status_code == 200
    Wizard.model_validate_json(content_of(client.post(CHAT, json=chat_body())))
    stream_lines(client, chat_body(stream=True))
    assert client.get("/v1/models").status_code == 200
    assert len({r.conn_id for r in server.requests}) == 1
    # Connection: close is honoured.
    response = client.get("/v1/models", headers={"Connection": "close"})
    assert response.headers["connection"] == "close"
    assert client.get("/v1/models").status_code == 200
    assert len({r.conn_id for r in server.requests}) == 2


# ---- faults ----


def test_status_fault_with_retry_after_then_recovers(server, client):
    server.script(Fault.status(429, retry_after="2", message="slow down"), Fault.status(503))
    response = client.post(CHAT, json=chat_body())
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["message"] == "slow down" and response.json()["error"]["type"]
    assert client.post(CHAT, json=chat_body(stream=True)).status_code == 503  # also for streamed requests
    assert server.faults_pending == 0
    Wizard.model_validate_json(content_of(client.post(CHAT, json=chat_body())))
    assert client.get("/v1/models").status_code == 200  # same connection survived the errors


def test_models_endpoint_does_not_take_faults(server, client):
    server.script(Fault.status(500))
    assert client.get("/v1/models").status_code == 200
    assert client.get("/sdapi/v1/sd-models").status_code == 200
    assert client.post(CHAT, json=chat_body()).status_code == 500


def test_hang_gives_a_read_timeout(server):
    server.script(Fault.hang())
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(5.0, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post(CHAT, json=chat_body())
    with httpx.Client(base_url=server.url) as client:  # the server is still fine
        assert client.get("/v1/models").status_code == 200


def test_close_drops_the_connection(server, client):
    server.script(Fault.close())
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(CHAT, json=chat_body())


def test_cut_after_breaks_the_stream(server, client):
    server.script(Fault.cut_after(3))
    lines = []
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        with client.stream("POST", CHAT, json=chat_body(stream=True)) as response:
            for line in response.iter_lines():
                lines.append(line)
    assert len(sse_data(lines)) == 3 and "[DONE]" not in lines
    record = server.streams[-1]
    assert record.chunks_sent == 3 and record.finished is None and record.fault == "cut_after"


def test_cut_after_non_streamed_short_body(server, client):
    server.script(Fault.cut_after(0))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(CHAT, json=chat_body())


def test_stall_after_times_out_mid_stream(server):
    server.script(Fault.stall_after(2))
    lines = []
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(5.0, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            with client.stream("POST", CHAT, json=chat_body(stream=True)) as response:
                for line in response.iter_lines():
                    lines.append(line)
    assert len(sse_data(lines)) == 2
    server.wait_for(lambda s: s.streams[-1].client_closed)


def test_bad_sse_lines_are_not_json(server, client):
    server.script(Fault.bad_sse())
    data = sse_data(stream_lines(client, chat_body(stream=True)))
    assert data[-1] == "[DONE]"
    broken = 0
    for item in data[1:-1]:
        with pytest.raises(ValueError):
            json.loads(item)
        broken += 1
    assert broken >= 1


def test_invalid_content_does_not_match_the_schema(server, client):
    server.script(Fault.invalid_content(), Fault.invalid_content())
    text = content_of(client.post(CHAT, json=chat_body()))
    json.loads(text)  # JSON, but the wrong shape
    with pytest.raises(ValidationError):
        Wizard.model_validate_json(text)
    streamed = assemble(sse_data(stream_lines(client, chat_body(stream=True))))
    with pytest.raises(ValidationError):
        Wizard.model_validate_json(streamed)


def test_prose_has_no_json_object(server, client):
    server.script(Fault.prose())
    text = content_of(client.post(CHAT, json=chat_body()))
    assert "{" not in text and len(text) > 50


def test_huge_content_length(server, client):
    server.script(Fault.huge(100_000))
    text = assemble(sse_data(stream_lines(client, chat_body(stream=True))))
    assert len(text) == 100_000 and text.startswith("{")


def test_echo_auth_repeats_the_authorization_header(server, client):
    server.script(Fault.echo_auth())
    response = client.post(CHAT, json=chat_body(), headers={"Authorization": "Bearer sk-secret-123"})
    assert response.status_code == 401
    assert "Bearer sk-secret-123" in response.json()["error"]["message"]


def test_client_closing_mid_stream_is_recorded():
    with FakeProviderServer(tokens_per_second=100) as server, httpx.Client(base_url=server.url) as client:
        with client.stream("POST", CHAT, json=chat_body(stream=True)) as response:
            lines = response.iter_lines()
            for _ in range(3):
                next(lines)
        # Leaving the block unread closes the connection.
        record = server.wait_for(lambda s: s.streams and s.streams[-1].client_closed and s.streams[-1])
        assert record.closed_at is not None and record.finished is None
        assert record.closed_at - record.started < 2.0
        sent = record.chunks_sent
        time.sleep(0.05)  # nothing more is sent after the close was noticed
        assert record.chunks_sent == sent


# ---- configuration ----


def test_api_key_is_required_everywhere():
    with FakeProviderServer(api_key="sk-good") as server, httpx.Client(base_url=server.url) as client:
        server.script(Fault.status(500))
        for method, path in (("GET", "/v1/models"), ("POST", CHAT), ("GET", "/sdapi/v1/sd-models")):
            response = client.request(method, path, json=chat_body() if method == "POST" else None)
            assert response.status_code == 401
            assert response.json()["error"]["message"] == "Invalid API key"
        assert client.get("/v1/models", headers={"Authorization": "Bearer sk-bad"}).status_code == 401
        assert server.faults_pending == 1  # a refused request does not use up the fault
        good = {"Authorization": "Bearer sk-good"}
        assert client.get("/v1/models", headers=good).status_code == 200
        assert client.post(CHAT, json=chat_body(), headers=good).status_code == 500


def test_reject_response_format():
    with FakeProviderServer(reject_response_format=True) as server, httpx.Client(base_url=server.url) as client:
        response = client.post(CHAT, json=chat_body())
        assert response.status_code == 400
        assert response.json()["error"]["message"] == "response_format is not supported by this server"
        system = f"```json-schema\n{json.dumps(Wizard.model_json_schema())}\n```"
        body = {"messages": [{"role": "system", "content": system}, {"role": "user", "content": "hi"}]}
        Wizard.model_validate_json(content_of(client.post(CHAT, json=body)))


def test_unknown_path_and_malformed_request(server, client):
    response = client.get("/v1/nothing")
    assert response.status_code == 404 and "error" in response.json()
    assert client.post(CHAT, content=b"not json").status_code == 400
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GARBAGE\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 400")


# ---- images ----


def test_openai_images_return_png(server, client):
    body = {"model": "dall-e", "prompt": "a red dragon", "size": "80x48", "response_format": "b64_json"}
    response = client.post("/v1/images/generations", json=body)
    assert response.status_code == 200
    item = response.json()["data"][0]
    png = base64.b64decode(item["b64_json"])
    assert png_size(png) == (80, 48) and item["revised_prompt"] == "a red dragon"
    other = client.post("/v1/images/generations", json={**body, "prompt": "a blue lake"}).json()["data"][0]["b64_json"]
    assert base64.b64decode(other) != png
    refused = client.post("/v1/images/generations", json={**body, "response_format": "url"})
    assert refused.status_code == 400 and refused.json()["error"]["message"] == "only b64_json is supported by this fake"


def test_images_take_faults(server, client):
    server.script(Fault.status(500), Fault.invalid_content())
    body = {"prompt": "x"}
    assert client.post("/v1/images/generations", json=body).status_code == 500
    bad = base64.b64decode(client.post("/v1/images/generations", json=body).json()["data"][0]["b64_json"])
    assert not bad.startswith(b"\x89PNG")


def test_automatic1111_txt2img(server, client):
    assert client.get("/sdapi/v1/sd-models").json() == [{"title": "fake-sd.safetensors", "model_name": "fake-sd"}]
    body = {"prompt": "a tavern", "negative_prompt": "blurry", "steps": 4, "width": 32, "height": 24, "seed": 5}
    response = client.post("/sdapi/v1/txt2img", json=body)
    assert response.status_code == 200
    payload = response.json()
    assert png_size(base64.b64decode(payload["images"][0])) == (32, 24)
    assert payload["parameters"] == body and json.loads(payload["info"])["seed"] == 5
    server.script(Fault.close())
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/sdapi/v1/txt2img", json=body)


def test_make_png_pixels():
    png = make_png(3, 2, (10, 20, 30))
    assert png_size(png) == (3, 2)
    length = struct.unpack(">I", png[33:37])[0]
    assert png[37:41] == b"IDAT"
    assert zlib.decompress(png[41 : 41 + length]) == (b"\x00" + bytes((10, 20, 30)) * 3) * 2
    assert png.endswith(b"IEND\xaeB`\x82")

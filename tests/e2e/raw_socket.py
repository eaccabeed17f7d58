"""A tab without a browser: a raw socket.io client that speaks to the backend as Reflex's page does.

Used by the attack tests to send what no page of ours would: other users' job ids, internal handler
names, `setvar` on any field, another tab's token. Every message the backend sends back is kept, so a
test can check that none of it carries another user's data.
"""

from __future__ import annotations

import json
import threading
import uuid

import socketio

NAMESPACE = "/_event"


class RawTab:
    def __init__(self, backend_url: str, *, origin: str, cookie: str = "", token: str | None = None):
        self.token = token or str(uuid.uuid4())
        self.received: list[str] = []  # every message from the backend, as JSON text
        self._changed = threading.Condition()
        # websocket-client sends an Origin of its own (the backend's) unless told which: the page's, as a browser would.
        self.client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
        self.client.on("*", self._record, namespace=NAMESPACE)
        headers = {"Cookie": cookie} if cookie else {}
        self.client.connect(
            f"{backend_url}?token={self.token}", socketio_path="/_event", namespaces=[NAMESPACE], transports=["websocket"],
            headers=headers, wait_timeout=20,
        )

    def _record(self, kind, data=None):
        with self._changed:
            self.received.append(json.dumps([kind, data]))
            self._changed.notify_all()

    def send(self, name: str, payload: dict | None = None, *, path: str = "/dashboard") -> None:
        router = {"pathname": path, "query": {}, "asPath": path}
        self.client.emit("event", {"name": name, "payload": payload or {}, "router_data": router}, namespace=NAMESPACE)

    def wait_for(self, text: str, timeout: float = 20.0, *, times: int = 1) -> bool:
        """Wait until `times` messages from the backend contain `text` (a deadline, no sleep)."""
        with self._changed:
            return self._changed.wait_for(lambda: sum(text in m for m in self.received) >= times, timeout=timeout)

    def text(self) -> str:
        return "\n".join(self.received)

    def close(self) -> None:
        self.client.disconnect()

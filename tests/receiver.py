"""A real HTTP server on loopback standing in for the CRM that receives lead notifications.

It checks each POST's HMAC signature, records what it accepted, and can be told to fail:
answer 500, hang past the sender's timeout, or be down (socket closed) for a while.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.action_server.leads.notify import DELIVERY_HEADER, SIGNATURE_HEADER, verify


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.mode = "ok"  # ok | error | slow
        self.slow_seconds = 3.0
        self.accepted: list[dict[str, Any]] = []
        self.deliveries: list[str] = []  # every delivery id seen, repeats included
        self.rejected_signatures = 0
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/leads"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not verify(body, receiver.secret, self.headers.get(SIGNATURE_HEADER, "")):
                    receiver.rejected_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.deliveries.append(self.headers.get(DELIVERY_HEADER, ""))
                if receiver.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                if receiver.mode == "slow":
                    time.sleep(receiver.slow_seconds)
                receiver.accepted.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until start() again (same port)."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def distinct(self) -> set[str]:
        return {payload["reference"] for payload in self.accepted}

    def wait_until(
        self, check: Callable[[list[dict[str, Any]]], bool], timeout: float = 20.0
    ) -> bool:
        """Whether `check(accepted)` came true within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check(list(self.accepted)):
                return True
            time.sleep(0.1)
        return False

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.distinct()) >= count:
                return True
            time.sleep(0.1)
        return False

"""A real HTTP server on loopback in the action server's place, failing the way servers fail.

`error` answers 500, `reject` answers Rasa SDK's 400 "action rejected" (a form refusing an
answer, which is not a failure), `hang` accepts the request and never answers (until stopped).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ActionServerStandIn:
    def __init__(self, mode: str, port: int = 0) -> None:
        self.mode = mode
        self.port = port
        self.requests = 0
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self) -> ActionServerStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                stand_in.requests += 1
                if stand_in.mode == "hang":
                    stand_in._release.wait()
                    return
                if stand_in.mode == "reject":
                    reply = {"action_name": body.get("next_action"), "error": "rejected"}
                    self._send(400, reply)
                    return
                self._send(500, {"error": "Internal Server Error"})

            def _send(self, status: int, reply: dict) -> None:
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

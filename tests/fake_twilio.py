"""A local stand-in for the Twilio Messages API that records what the bot sent."""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.sent: list[dict[str, str]] = []
        self.mode = "ok"  # ok | error: every send answered 503 (Twilio's API down)
        self.refused = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeTwilio:
        fake = self
        expected = "Basic " + base64.b64encode(f"{account_sid_token(fake)}".encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                path_ok = self.path == f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
                if not path_ok or self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.end_headers()
                    return
                if fake.mode == "error":
                    fake.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                fake.sent.append(dict(parse_qsl(body, keep_blank_values=True)))
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"sid": "SM0000"}')

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def to(self, number: str, after: int = 0, wait: float = 5.0) -> list[dict[str, str]]:
        """Messages sent to `number` beyond the first `after`, waiting briefly for them."""
        deadline = time.monotonic() + wait
        while True:
            found = [m for m in self.sent if m.get("To") == number][after:]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def account_sid_token(fake: FakeTwilio) -> str:
    return f"{fake.account_sid}:{fake.auth_token}"


# GSM 03.38: a text in these characters costs 1 segment up to 160, then 153 per segment
# (the characters of the extension table count twice); any other character makes it UCS-2:
# 70, then 67 per segment. This is how carriers bill, and Twilio passes it on.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€")


def segments(body: str) -> int:
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in body):
        length = sum(2 if c in GSM_EXTENSION else 1 for c in body)
        return 1 if length <= 160 else -(-length // 153)
    return 1 if len(body) <= 70 else -(-len(body) // 67)

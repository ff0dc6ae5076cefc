"""Real Rasa and action servers on loopback for integration tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests

from bot import PROJECT_ROOT
from bot.tools import modelfile

BIN = Path(sys.executable).parent
TWILIO_VARIABLES = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_SMS_NUMBER",
                    "TWILIO_WHATSAPP_NUMBER", "TWILIO_PUBLIC_URL")  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    check, timeout: float, process: subprocess.Popen, log: Path, poll: float = 0.3
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(poll)
    raise TimeoutError(f"server not ready in {timeout} s:\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    """An action server and a Rasa server, started from a copy of the trained model."""

    workdir: Path
    api_token: str = "test-api-token"
    action_token: str = "test-action-token"
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "ACTION_SERVER_HOST": "127.0.0.1",
            "ACTION_SERVER_PORT": str(self.action_port),
            "ACTION_SERVER_URL": f"{self.action_url}/webhook",
            "ACTION_SERVER_TOKEN": self.action_token,
            "TRACKER_DB_DIALECT": "sqlite",
            "TRACKER_DB_NAME": str(self.tracker_db),
            "TRACKER_DB_URL": "",
            "LOCK_STORE_URL": "",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "LOG_LEVEL": "DEBUG",
            **{name: "" for name in TWILIO_VARIABLES},
            "TWILIO_API_BASE_URL": "https://api.twilio.com",
        }
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=self.env(),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process, log

    def start(self) -> Stack:
        source = modelfile.model_path()
        if not source.exists():
            raise RuntimeError(f"No trained model at {source}: run `make train` (make test does).")
        # A copy outside the project proves the model carries everything it needs.
        model = self.workdir / "elsewhere" / source.name
        model.parent.mkdir(parents=True)
        shutil.copy(source, model)
        self.model = model

        actions, actions_log = self._spawn(
            "actions", [str(BIN / "python"), "-m", "bot.action_server"]
        )
        rasa, rasa_log = self._spawn_rasa("rasa", self.rasa_port)
        wait_until(
            lambda: requests.get(f"{self.action_url}/health", timeout=2).ok,
            90,
            actions,
            actions_log,
        )
        wait_until(lambda: self.send("readiness-probe", "hi") is not None, 240, rasa, rasa_log)
        return self

    def _spawn_rasa(self, name: str, port: int) -> tuple[subprocess.Popen, Path]:
        command = [
            str(BIN / "python"), "-m", "bot.rasa_server", "run",  # the server's own start-up
            "--model", str(self.model), "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml", "--interface", "127.0.0.1",
            "--port", str(port), "--enable-api", "--auth-token", self.api_token,
            "--debug",  # the most verbose logs, so the privacy test sees every line
        ]  # fmt: skip
        return self._spawn(name, command)

    def replica(self) -> Stack:
        """Another Rasa server on the same model, action server and stores (a replica)."""
        other = replace(self, rasa_port=free_port(), processes=self.processes)
        other.model = self.model
        rasa, log = other._spawn_rasa(f"rasa-{other.rasa_port}", other.rasa_port)
        wait_until(lambda: other.send("readiness-probe", "hi") is not None, 240, rasa, log)
        return other

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def send(self, sender: str, message: str) -> list[dict[str, Any]] | None:
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()

    def texts(self, sender: str, message: str) -> list[str]:
        return [m.get("text", "") for m in self.send(sender, message) or []]

    def tracker(self, sender: str) -> dict[str, Any]:
        reply = requests.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": self.api_token},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()

    def parse(self, text: str) -> dict[str, Any]:
        reply = requests.post(
            f"{self.url}/model/parse",
            params={"token": self.api_token},
            json={"text": text},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()

    def trigger_action(self, sender: str, action: str) -> dict[str, Any]:
        """Runs an action again in a conversation through Rasa's HTTP API (a retried action)."""
        reply = requests.post(
            f"{self.url}/conversations/{sender}/execute",
            params={"token": self.api_token},
            json={"name": action},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()

"""The two bots under measurement, trained and served the way they run in production."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot import PROJECT_ROOT
from bot.tools import modelfile
from tests.integration.servers import free_port, wait_until

BIN = Path(sys.executable).parent
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false",
         "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}  # fmt: skip


def train(project: Path, out: Path, data: list[str], log: Path) -> tuple[Path, float]:
    """Trains from scratch (no cached graph pieces); returns the model and the seconds it took."""
    out.mkdir(parents=True, exist_ok=True)
    command = [str(BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
               "--data", *data, "--out", str(out), "--fixed-model-name", "model"]  # fmt: skip
    env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": str(out / ".rasa-cache")}
    started = time.monotonic()
    with log.open("w") as handle:
        subprocess.run(command, cwd=project, env=env, stdout=handle, stderr=subprocess.STDOUT,
                       check=True)  # fmt: skip
    return out / "model.tar.gz", time.monotonic() - started


def stock_bot(cache: Path) -> tuple[Path, Path, float]:
    """`rasa init`'s project, trained once and kept in the cache; its training time is kept too."""
    import rasa
    import rasa.cli.scaffold

    home = cache / f"bench-stock-rasa-{rasa.__version__}"
    record = home / "training.json"
    if not record.exists():
        shutil.rmtree(home, ignore_errors=True)
        template = Path(rasa.cli.scaffold.__file__).parent / "initial_project"
        shutil.copytree(template, home / "project", ignore=shutil.ignore_patterns("__pycache__"))
        print("Training the stock `rasa init` bot once (kept in the cache) ...", flush=True)
        _, seconds = train(home / "project", home / "models", ["data"], home / "train.log")
        record.write_text(json.dumps({"seconds": round(seconds, 1)}))
    seconds = json.loads(record.read_text())["seconds"]
    return home / "project", home / "models" / "model.tar.gz", seconds


# The floor: Rasa's server with no machine learning. The stock project's NLU read by keyword,
# its conversation as rules (RulePolicy predicts only what rules say), no stories.
FLOOR_CONFIG = """recipe: default.v1
language: en
assistant_id: bench-floor
pipeline:
  - name: KeywordIntentClassifier
policies:
  - name: RulePolicy
"""
FLOOR_RULES = """version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
- rule: happy
  steps:
  - intent: mood_great
  - action: utter_happy
- rule: sad
  steps:
  - intent: mood_unhappy
  - action: utter_cheer_up
  - action: utter_did_that_help
- rule: it helped
  steps:
  - intent: affirm
  - action: utter_happy
- rule: it did not
  steps:
  - intent: deny
  - action: utter_goodbye
"""


def floor_bot(cache: Path) -> tuple[Path, Path, float]:
    """The stock project with `KeywordIntentClassifier` and `RulePolicy` only, trained once and
    kept in the cache: what any Rasa bot costs on this machine before it understands anything."""
    import rasa
    import rasa.cli.scaffold

    home = cache / f"bench-floor-rasa-{rasa.__version__}"
    record = home / "training.json"
    if not record.exists():
        shutil.rmtree(home, ignore_errors=True)
        template = Path(rasa.cli.scaffold.__file__).parent / "initial_project"
        project = home / "project"
        shutil.copytree(template, project, ignore=shutil.ignore_patterns("__pycache__"))
        (project / "config.yml").write_text(FLOOR_CONFIG)
        (project / "data" / "floor_rules.yml").write_text(FLOOR_RULES)
        print("Training the floor bot once (kept in the cache) ...", flush=True)
        data = ["data/nlu.yml", "data/rules.yml", "data/floor_rules.yml"]
        _, seconds = train(project, home / "models", data, home / "train.log")
        record.write_text(json.dumps({"seconds": round(seconds, 1)}))
    seconds = json.loads(record.read_text())["seconds"]
    return home / "project", home / "models" / "model.tar.gz", seconds


def this_bot(workdir: Path) -> tuple[Path, float]:
    print("Training this bot from scratch ...", flush=True)
    return train(PROJECT_ROOT, workdir / "models", modelfile.TRAINING_DATA, workdir / "train.log")


@dataclass
class Server:
    """A Rasa server (and this bot's action server), timed from process start to first answer."""

    name: str
    project: Path
    model: Path
    workdir: Path
    endpoints: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    with_actions: bool = False
    boot: bool = False  # start through `python -m bot.rasa_server`
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)
    seconds_to_first_answer: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict[str, str]:
        return {**os.environ, **QUIET, **self.env}

    def _spawn(self, name: str, command: list[str], ready) -> subprocess.Popen:
        """Starts a process and returns once `ready()` holds (polled every 50 ms)."""
        log = self.workdir / f"{self.name}-{name}.log"
        process = subprocess.Popen(command, cwd=self.project, env=self._environment(),
                                   stdout=log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip
        self.processes.append(process)
        wait_until(ready, 400, process, log, poll=0.05)
        return process

    def start(self) -> Server:
        if self.with_actions:
            health = f"http://127.0.0.1:{self.env['ACTION_SERVER_PORT']}/health"
            command = [str(BIN / "python"), "-m", "bot.action_server"]
            self._spawn("actions", command, lambda: requests.get(health, timeout=2).ok)
        # This bot starts as it is deployed, through its own start-up (which refuses other
        # stores, so the store comparisons start as Rasa does); the stock bot as Rasa's.
        entry = [str(BIN / "python"), "-m", "bot.rasa_server"] if self.boot else [
            str(BIN / "rasa")]  # fmt: skip
        command = [*entry, "run", "--model", str(self.model), "--interface",
                   "127.0.0.1", "--port", str(self.port)]  # fmt: skip
        if self.endpoints:
            command += ["--endpoints", str(self.endpoints)]
        started = time.monotonic()
        self.rasa = self._spawn("rasa", command, self._answers)
        self.seconds_to_first_answer = time.monotonic() - started
        return self

    def _answers(self) -> bool:
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": "first-answer", "message": "hello"},
            timeout=60,
        )
        return reply.ok and bool(reply.json())

    def peak_rss_mb(self) -> dict[str, float]:
        """The kernel's high-water mark of resident memory per process (VmHWM)."""
        peaks = {}
        for process in self.processes:
            status = Path(f"/proc/{process.pid}/status").read_text()
            kb = next(int(line.split()[1]) for line in status.splitlines()
                      if line.startswith("VmHWM"))  # fmt: skip
            peaks["rasa" if process is self.rasa else "actions"] = round(kb / 1024, 1)
        return peaks

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

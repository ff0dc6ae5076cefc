"""Faults in the scaled-out configuration: two Rasa replicas, PostgreSQL, Redis, an action server
(and a second one that only delivers the shared lead outbox, as every action server does).

Each test drives conversations of FAQ questions at both replicas (each message to a random
one, some pairs sent at the same instant to both), injects one fault while they run, and then
reads every conversation back from PostgreSQL. The client behaves as a careful integration
would: a failed message is sent again, to the other replica, with the same message id.

Pass means: nothing lost, duplicated or reordered; every stored turn answered; and every failed
attempt told as such (HTTP 503 with the failure text), never an empty `200 []`.

The specialist notification receiver (`tests/receiver.py`) stopped while handoffs complete is
one more fault: each lead stored once, each notification delivered exactly once after the
receiver returns, and no conversation notices. The widget's socket.io channel is checked on
the same cluster: a message sent again after a reconnect to the other replica is answered
once, and a failed turn is told.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bot import PROJECT_ROOT
from tests.integration import test_socketio_channel as widget_channel
from tests.integration.servers import BIN, Stack, free_port, wait_until
from tests.receiver import Receiver
from tests.services import _as_postgres, _free_port, postgres_server

QUESTIONS = ["what is ivig", "what are the side effects of ivig", "what is myositis",
             "how is ivig given"]  # fmt: skip
CONVERSATIONS = 10
STEPS = 10
THINK_SECONDS = 0.15
RETRY_FOR_SECONDS = 40.0  # how long the client keeps trying one message
REQUEST_TIMEOUT = 30.0
TICKET_LIFETIME = "10"  # Rasa's TICKET_LOCK_LIFETIME; its default of 60 s would not fit a run
WEBHOOK_SECRET = "faults-webhook-secret"
# The outbox as the handoff tests run it: a tick every 0.5 s, retries backing off to 2 s at most.
OUTBOX = {"LEADS_OUTBOX_INTERVAL": "0.5", "LEADS_RETRY_BASE_SECONDS": "0.5",
          "LEADS_RETRY_MAX_SECONDS": "2"}  # fmt: skip
RETRY_MAX_SECONDS = 2.0
HANDOFF = ["connect me with a specialist", "yes", "Pat Doe", "call", "415-555-0142", "morning"]
HANDOFF_CONVERSATIONS = 8
RECOVERING_SECONDS = 0.5  # how long the receiver takes to answer when it is back


class RestartableRedis:
    """A memory-only Redis on a fixed loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.binary = subprocess.run(
            ["bash", str(PROJECT_ROOT / "scripts" / "ensure-debian.sh"), "/usr/bin/redis-server",
             "redis-server"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                   "--appendonly", "no"]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Redis did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class RestartablePostgres:
    """Stops and starts the throwaway PostgreSQL server of `tests.services` in place."""

    def __init__(self, url: str) -> None:
        engine = create_engine(url)
        with engine.connect() as connection:
            self.data = Path(connection.execute(text("SHOW data_directory")).scalar())
        engine.dispose()
        # The server's own command line, as pg_ctl recorded it: binary, then its options.
        recorded = shlex.split((self.data / "postmaster.opts").read_text())
        self.bin_dir = Path(recorded[0]).parent
        options = recorded[1:]
        at = options.index("-D")
        self.options = shlex.join(options[:at] + options[at + 2 :])

    def stop(self) -> None:
        _as_postgres(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                     "stop")  # fmt: skip

    def start(self) -> None:
        log = str(self.data.parent / "server.log")
        _as_postgres(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", self.options,
                     "-l", log, "-w", "start")  # fmt: skip


@dataclass
class Cluster:
    first: Stack
    second: Stack
    database: str
    postgres: RestartablePostgres
    redis: RestartableRedis
    failure_text: str
    receiver: Receiver

    @property
    def replicas(self) -> list[Stack]:
        return [self.first, self.second]

    @property
    def action_server(self) -> subprocess.Popen:
        return self.first.processes[0]

    @property
    def second_rasa(self) -> subprocess.Popen:
        return self.first.processes[2]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("faults")
    redis = RestartableRedis()
    redis.start()
    receiver = Receiver(WEBHOOK_SECRET).start()
    try:
        with postgres_server() as database:
            env = {
                "TRACKER_DB_URL": database,
                "LOCK_STORE_URL": redis.url,
                "DATABASE_URL": database,
                "LEADS_KEY_FILE": str(workdir / "leads.key"),
                "CHANNEL_KEY_FILE": str(workdir / "channel.key"),
                "REPLY_TO_KEY_FILE": str(workdir / "reply-to.pem"),
                "LEADS_WEBHOOK_URL": receiver.url,
                "LEADS_WEBHOOK_SECRET": WEBHOOK_SECRET,
                **OUTBOX,
                "RATE_LIMIT_PER_MINUTE": "100000",
                "TICKET_LOCK_LIFETIME": TICKET_LIFETIME,
                "LOG_LEVEL": "INFO",
            }
            first = Stack(workdir, extra_env=env)
            try:
                first.start()
                second = first.replica()
                _second_action_server(first)
                yield Cluster(
                    first, second, database, RestartablePostgres(database), redis,
                    _failure_text(), receiver,
                )  # fmt: skip
            finally:
                first.stop()
    finally:
        receiver.stop()
        redis.stop()


def _second_action_server(stack: Stack) -> None:
    """Another action server on the same leads database: Rasa does not call it, but its outbox
    worker delivers from the shared outbox beside the first one's."""
    other = replace(stack, action_port=free_port(), processes=stack.processes)
    process, log = other._spawn(f"actions-{other.action_port}",
                                [str(BIN / "python"), "-m", "bot.action_server"])  # fmt: skip
    wait_until(lambda: requests.get(f"{other.action_url}/health", timeout=2).ok, 90, process, log)


def _failure_text() -> str:
    """The start of the domain's `utter_turn_failed` (what a person is told), to recognise it."""
    import yaml

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    variants = domain.get("responses", {}).get("utter_turn_failed") or [{"text": "(none)"}]
    return " ".join(variants[0]["text"].split())[:40]


@dataclass
class Attempt:
    replica: int
    started: float
    ended: float
    status: int | None  # None: no HTTP answer (connection refused, reset, timed out)
    messages: list[dict]

    def ok(self) -> bool:
        return self.status == 200 and bool(self.messages)


@dataclass
class Message:
    conversation: str
    step: int
    text: str
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class Report:
    name: str
    sent: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    reordered: int = 0
    unanswered: int = 0
    attempts: int = 0
    failed_told: int = 0
    failed_silent: int = 0
    no_answer: int = 0
    gave_up: int = 0
    back_to_normal: float = 0.0
    longest_wait: float = 0.0
    duration: float = 0.0

    def row(self) -> str:
        return (
            f"| {self.name} | {self.sent} | {self.stored} | {self.lost} | {self.duplicated} | "
            f"{self.reordered} | {self.unanswered} | {self.failed_told} | {self.failed_silent} |"
            f" {self.no_answer} | {self.gave_up} | {self.back_to_normal:.1f} s |"
            f" {self.longest_wait:.1f} s | {self.duration:.1f} s |"
        )


HEADER = (
    "| fault | sent | stored | lost | duplicated | reordered | unanswered | failed, told |"
    " failed, silent | no answer | gave up | back to normal | longest wait | run |"
)


class Traffic:
    """Conversations of FAQ questions at both replicas; a message is retried until it lands."""

    def __init__(
        self, cluster: Cluster, name: str, seed: int, request_timeout: float = REQUEST_TIMEOUT
    ) -> None:
        self.cluster, self.name = cluster, name
        self.request_timeout = request_timeout
        self.random = random.Random(seed)
        self.prefix = f"{name}-{uuid.uuid4().hex[:6]}"
        self.messages: list[Message] = []
        self.guard = threading.Lock()
        self.down: set[int] = set()  # replicas that refused a connection, as a balancer's check
        self.t0 = time.monotonic()

    def plan(self, conversation: str) -> list[list[Message]]:
        """Each step is one message, or every fourth a pair sent at once to both replicas."""
        steps = []
        for step in range(STEPS):
            question = QUESTIONS[(step + len(conversation)) % len(QUESTIONS)]
            count = 2 if step % 4 == 3 else 1
            steps.append(
                [
                    Message(conversation, step, f"{question} ref{step}{'ab'[n]}")
                    for n in range(count)
                ]
            )
        return steps

    def send(self, message: Message, first_replica: int) -> None:
        replica = first_replica
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        while True:
            if replica in self.down:
                replica = 1 - replica
            started = time.monotonic()
            status, messages = None, []
            try:
                reply = requests.post(
                    f"{self.cluster.replicas[replica].url}/webhooks/rest/webhook",
                    json={"sender": message.conversation, "message": message.text,
                          "message_id": message.message_id},
                    timeout=self.request_timeout,
                )  # fmt: skip
                status = reply.status_code
                try:
                    body = reply.json()
                except ValueError:
                    body = None
                messages = body if isinstance(body, list) else (body or {}).get("messages", [])
            except requests.Timeout:
                pass
            except requests.ConnectionError:
                self.down.add(replica)  # a load balancer stops sending to a dead replica
            attempt = Attempt(replica, started - self.t0, time.monotonic() - self.t0, status,
                              messages)  # fmt: skip
            message.attempts.append(attempt)
            if attempt.ok() or time.monotonic() > deadline:
                return
            replica = 1 - replica  # the other replica, as a load balancer's retry would
            time.sleep(0.3)

    def converse(self, number: int) -> None:
        conversation = f"{self.prefix}-{number}"
        steps = self.plan(conversation)
        seed = self.random.random()
        chooser = random.Random(seed)
        for step in steps:
            with self.guard:
                self.messages.extend(step)
            if len(step) == 1:
                self.send(step[0], chooser.randrange(2))
            else:
                threads = [
                    threading.Thread(target=self.send, args=(message, replica))
                    for replica, message in enumerate(step)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            time.sleep(THINK_SECONDS)

    def run(self, fault: Callable[[], tuple[float, float]], fault_at: float) -> Report:
        """Runs the conversations; `fault` returns when it began and ended (monotonic)."""
        window: list[tuple[float, float]] = []

        def inject() -> None:
            time.sleep(fault_at)
            window.append(fault())

        injector = threading.Thread(target=inject)
        injector.start()
        with ThreadPoolExecutor(CONVERSATIONS) as pool:
            list(pool.map(self.converse, range(CONVERSATIONS)))
        injector.join()
        duration = time.monotonic() - self.t0
        return self.check(window[0][1] - self.t0, duration)

    @staticmethod
    def key_of(message: Message) -> str:
        """What identifies a sent message among the stored turns: its text (unique per
        conversation), independent of the message id the replay mechanism relies on."""
        return message.text

    @staticmethod
    def stored_key(user_event: dict) -> str:
        return user_event.get("text") or ""

    def check(self, fault_ended: float, duration: float) -> Report:
        """Reads every conversation back from PostgreSQL and counts what happened to each turn."""
        report = Report(self.name, sent=len(self.messages), duration=duration)
        engine = create_engine(self.cluster.database)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT sender_id, type_name, data FROM events "
                     "WHERE sender_id LIKE :prefix ORDER BY id"),
                {"prefix": f"{self.prefix}-%"},
            ).all()  # fmt: skip
        engine.dispose()
        stored: dict[str, list[tuple[str, bool]]] = {}  # conversation -> [(text, answered)]
        for sender, kind, data in rows:
            turns = stored.setdefault(sender, [])
            if kind == "user":
                turns.append((self.stored_key(json.loads(data)), False))
            elif kind == "bot" and turns:
                turns[-1] = (turns[-1][0], True)
        step_of = {(m.conversation, self.key_of(m)): m.step for m in self.messages}
        for conversation, turns in stored.items():
            texts = [t for t, _ in turns if (conversation, t) in step_of]
            counts = Counter(texts)
            report.duplicated += sum(n - 1 for n in counts.values())
            report.stored += len(counts)
            report.unanswered += sum(1 for t, answered in turns if t in counts and not answered)
            first_seen = list(dict.fromkeys(texts))
            order = [step_of[(conversation, t)] for t in first_seen]
            report.reordered += sum(1 for a, b in itertools.pairwise(order) if b < a)
        stored_keys = {(c, t) for c, turns in stored.items() for t, _ in turns}
        report.lost = sum(
            1 for m in self.messages if (m.conversation, self.key_of(m)) not in stored_keys
        )
        last_bad = 0.0
        for message in self.messages:
            report.attempts += len(message.attempts)
            report.gave_up += not message.attempts[-1].ok()
            waited = message.attempts[-1].ended - message.attempts[0].started
            report.longest_wait = max(report.longest_wait, waited)
            for attempt in message.attempts:
                if attempt.ok():
                    continue
                last_bad = max(last_bad, attempt.ended)
                if attempt.status is None:
                    report.no_answer += 1
                elif attempt.status == 503 and self._told(attempt):
                    report.failed_told += 1
                else:
                    report.failed_silent += 1
        report.back_to_normal = max(0.0, last_bad - fault_ended)
        return report

    def _told(self, attempt: Attempt) -> bool:
        said = " ".join(" ".join(str(m.get("text", "")) for m in attempt.messages).split())
        return self.cluster.failure_text in said


class HandoffTraffic(Traffic):
    """Conversations that each ask for a specialist and give their contact details.

    Turns are identified by message id: once a lead holds the typed contact details, the
    tracker store blanks their text (bot/core/erasure.py), but keeps each turn's message id."""

    def plan(self, conversation: str) -> list[list[Message]]:
        return [[Message(conversation, step, said)] for step, said in enumerate(HANDOFF)]

    @staticmethod
    def key_of(message: Message) -> str:
        return message.message_id

    @staticmethod
    def stored_key(user_event: dict) -> str:
        return user_event.get("message_id") or ""

    def confirmations(self) -> dict[str, str | None]:
        """Each conversation's lead reference, as its person was told it at the end."""
        told: dict[str, str | None] = {}
        for message in self.messages:
            if message.step == len(HANDOFF) - 1:
                said = " ".join(str(m.get("text", "")) for m in message.attempts[-1].messages)
                found = re.search(r"Your reference is (L-[0-9A-F]+)\.", " ".join(said.split()))
                told[message.conversation] = found.group(1) if found else None
        return told


@dataclass
class Notified:
    """Leads of a run read back from the leads database, and what the receiver got."""

    leads: dict[str, list[str]]  # conversation -> the references of its leads
    outbox: dict[str, tuple[str, int, str | None]]  # reference -> (status, attempts, last error)
    accepted: Counter  # reference -> payloads the receiver accepted
    seen: Counter  # reference -> POSTs the receiver saw, failed ones included


def _notified(cluster: Cluster, prefix: str) -> Notified:
    engine = create_engine(cluster.database)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT l.conversation_id, l.reference, o.status, o.attempts, o.last_error "
                 "FROM leads l JOIN outbox o ON o.lead_id = l.id "
                 "WHERE l.conversation_id LIKE :prefix"),
            {"prefix": f"{prefix}-%"},
        ).all()  # fmt: skip
    engine.dispose()
    references = {row.reference for row in rows}
    leads: dict[str, list[str]] = {}
    for row in rows:
        leads.setdefault(row.conversation_id, []).append(row.reference)
    receiver = cluster.receiver
    return Notified(
        leads=leads,
        outbox={row.reference: (row.status, row.attempts, row.last_error) for row in rows},
        accepted=Counter(p["reference"] for p in receiver.accepted if p["reference"] in references),
        seen=Counter(d for d in receiver.deliveries if d in references),
    )  # fmt: skip


def _until(condition: Callable[[], bool], timeout: float, poll: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def _publish(report: Report) -> None:
    """Prints the row and keeps it beside the test's logs, for the README's table."""
    print(f"\n{HEADER}\n{report.row()}")
    results = Path(os.environ.get("FAULTS_REPORT", "/tmp/ivig-faults.md"))
    with results.open("a") as out:
        out.write(report.row() + "\n")


def _assert_every_turn_survived(report: Report) -> None:
    assert (report.lost, report.duplicated, report.reordered, report.unanswered) == (0, 0, 0, 0)
    assert report.failed_silent == 0 and report.gave_up == 0
    assert report.stored == report.sent


def _timed(action: Callable[[], None]) -> Callable[[], tuple[float, float]]:
    def fault() -> tuple[float, float]:
        began = time.monotonic()
        action()
        return began, time.monotonic()

    return fault


def _settle(cluster: Cluster) -> None:
    """Every live replica answers before a run starts, so runs do not bleed into each other."""
    for replica in cluster.replicas:
        _wait_answering(replica)


def _wait_answering(replica: Stack, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reply = requests.post(
                f"{replica.url}/webhooks/rest/webhook",
                json={"sender": f"probe-{uuid.uuid4().hex[:8]}", "message": "hi"},
                timeout=10,
            )
            if reply.status_code == 200 and reply.json():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{replica.url} does not answer")


def test_the_checker_counts_what_it_claims_to(cluster):
    """The checker itself, on a conversation written straight into the store."""
    traffic = Traffic(cluster, "checker", seed=5)
    conversation = f"{traffic.prefix}-0"
    sent = [Message(conversation, step, f"what is ivig ref{step}a") for step in range(4)]
    traffic.messages = sent
    for message in sent:
        message.attempts.append(Attempt(0, 0, 0, 200, [{"text": "ok"}]))
    # Stored: step 1 twice, then step 0 (reordered), step 2 unanswered, step 3 never.
    events = [(sent[1].text, True), (sent[0].text, True), (sent[1].text, True),
              (sent[2].text, False)]  # fmt: skip
    engine = create_engine(cluster.database)
    with engine.begin() as connection:
        for said, answered in events:
            for kind in ["user", "bot"] if answered else ["user"]:
                connection.execute(
                    text("INSERT INTO events (sender_id, type_name, timestamp, data) "
                         "VALUES (:s, :k, 0, :d)"),
                    {"s": conversation, "k": kind, "d": json.dumps({"text": said})},
                )  # fmt: skip
    engine.dispose()
    report = traffic.check(0.0, 0.0)
    assert (report.sent, report.stored, report.lost) == (4, 3, 1)
    assert (report.duplicated, report.reordered, report.unanswered) == (1, 1, 1)


def test_a_message_sent_again_with_its_id_is_answered_from_the_stored_turn(cluster):
    sender, body = f"replay-{uuid.uuid4().hex[:8]}", {"message": "what is ivig"}
    body["message_id"] = uuid.uuid4().hex
    answers = []
    for replica in (cluster.first, cluster.second, cluster.first):
        reply = requests.post(
            f"{replica.url}/webhooks/rest/webhook", json={"sender": sender, **body}, timeout=30
        )
        assert reply.status_code == 200
        answers.append([m.get("text") for m in reply.json()])
    assert answers[0] and answers[0] == answers[1] == answers[2]
    stored = [e for e in cluster.first.tracker(sender)["events"] if e["event"] == "user"]
    assert [e["text"] for e in stored] == ["what is ivig"]  # processed once


def test_a_widget_message_sent_again_on_the_other_replica_is_answered_once(cluster):
    """The widget reconnects to the other replica after a lost reply and sends the message again
    with its id: the same answer, from the stored turn, and one user turn stored."""
    message_id = f"widget-{uuid.uuid4().hex}"
    first, second, session = widget_channel.resend_after_reconnect(
        cluster.first, cluster.second, message_id
    )
    assert any("Source:" in said for said in widget_channel.texts(first))
    assert widget_channel.texts(second) == widget_channel.texts(first)
    turns = widget_channel.user_turns(cluster.second, session)
    assert [(t["text"], t["message_id"]) for t in turns] == [("what is ivig", message_id)]


def test_with_the_database_down_a_person_is_told_and_an_emergency_still_comes_first(cluster):
    _settle(cluster)
    cluster.postgres.stop()
    try:
        replies = [
            requests.post(
                f"{cluster.first.url}/webhooks/rest/webhook",
                json={"sender": f"down-{uuid.uuid4().hex[:8]}", "message": text},
                timeout=30,
            )
            for text in ("what is ivig", "my throat is closing and I can't breathe")
        ]
    finally:
        cluster.postgres.start()
    for reply in replies:
        assert reply.status_code == 503
        assert reply.json()["error"] == "conversation_store_unavailable"
    calm, emergency = ([m["text"] for m in r.json()["messages"]] for r in replies)
    assert len(calm) == 1 and cluster.failure_text in " ".join(calm[0].split())
    assert len(emergency) == 2 and "911" in emergency[0]
    assert cluster.failure_text in " ".join(emergency[1].split())


def test_with_the_database_down_a_widget_user_is_told_and_an_emergency_still_comes_first(
    cluster,
):
    _settle(cluster)
    widget = widget_channel.Widget(cluster.first, widget_channel.ALLOWED)
    widget.start_session()
    cluster.postgres.stop()
    try:
        calm = widget.say("what is ivig", f"calm-{uuid.uuid4().hex}")
        emergency = widget.say("my throat is closing and I can't breathe")
    finally:
        cluster.postgres.start()
        widget.close()
    calm_said = [" ".join(t.split()) for t in widget_channel.texts(calm)]
    urgent_said = [" ".join(t.split()) for t in widget_channel.texts(emergency)]
    assert cluster.failure_text in " ".join(calm_said) and "911" not in calm_said[0][:40]
    assert "911" in urgent_said[0] and cluster.failure_text not in urgent_said[0]
    assert cluster.failure_text in " ".join(urgent_said[1:])


def test_a_postgresql_restart_loses_no_turn_and_tells_whoever_had_to_wait(cluster):
    def restart() -> None:
        cluster.postgres.stop()
        time.sleep(3)
        cluster.postgres.start()

    _settle(cluster)
    report = Traffic(cluster, "postgres-restart", seed=1).run(_timed(restart), fault_at=1.5)
    _publish(report)
    _assert_every_turn_survived(report)


def test_a_redis_restart_loses_no_turn_and_blocks_no_conversation_afterwards(cluster):
    def restart() -> None:
        cluster.redis.stop()
        time.sleep(5)
        cluster.redis.start()

    _settle(cluster)
    report = Traffic(cluster, "redis-restart", seed=2).run(_timed(restart), fault_at=1.5)
    _publish(report)
    _assert_every_turn_survived(report)
    assert report.back_to_normal < 5


def test_an_action_server_stopped_past_the_lease_never_lets_two_turns_run_at_once(cluster):
    def pause() -> None:
        cluster.action_server.send_signal(signal.SIGSTOP)
        time.sleep(14)  # past TICKET_LIFETIME and the lease
        cluster.action_server.send_signal(signal.SIGCONT)

    _settle(cluster)
    # An impatient client: it gives up after 5 s and sends the message again to the other replica.
    traffic = Traffic(cluster, "actions-stopped", seed=3, request_timeout=5)
    report = traffic.run(_timed(pause), fault_at=1.5)
    _publish(report)
    _assert_every_turn_survived(report)


def test_a_receiver_down_while_handoffs_complete_gets_each_lead_exactly_once_on_its_return(
    cluster,
):
    """The specialist team's receiver is down while eight people finish a handoff over both
    replicas, and stays down past several retries; then it comes back on the same address,
    slow at first (half a second an answer, longer than a worker's tick), while both action
    servers' workers deliver the backlog."""
    _settle(cluster)
    receiver = cluster.receiver
    traffic = HandoffTraffic(cluster, "receiver-down", seed=6)
    receiver.stop()
    try:
        with ThreadPoolExecutor(HANDOFF_CONVERSATIONS) as pool:
            list(pool.map(traffic.converse, range(HANDOFF_CONVERSATIONS)))
        # Every notification was tried while the receiver was away, failed, and was retried.
        assert _until(
            lambda: all(attempts >= 3 for _, attempts, _ in
                        _notified(cluster, traffic.prefix).outbox.values()),
            timeout=15,
        )  # fmt: skip
        while_down = _notified(cluster, traffic.prefix)
    finally:
        receiver.mode, receiver.slow_seconds = "slow", RECOVERING_SECONDS
        receiver.start()
    returned = time.monotonic()
    assert {status for status, _, _ in while_down.outbox.values()} == {"pending"}
    assert all(error for _, _, error in while_down.outbox.values())  # why it was not sent
    assert not while_down.seen  # nothing could have reached it
    told = traffic.confirmations()
    everyone = set(told)
    try:
        assert _until(lambda: set(told.values()) <= receiver.distinct(), timeout=20)
        caught_up = time.monotonic() - returned
        time.sleep(2 * RETRY_MAX_SECONDS + 1)  # long enough for any repeat to arrive
    finally:
        receiver.mode = "ok"
    after = _notified(cluster, traffic.prefix)
    report = traffic.check(returned - traffic.t0, time.monotonic() - traffic.t0)
    report.back_to_normal = caught_up  # the last notification, after the receiver's return
    _publish(report)
    print(f"leads stored {len(after.leads)}, notifications accepted "
          f"{sum(after.accepted.values())}, POSTs seen {sum(after.seen.values())}, "
          f"last delivered {caught_up:.1f} s after the receiver returned")  # fmt: skip
    # The conversations never noticed: every turn stored once, in order, answered first time.
    _assert_every_turn_survived(report)
    assert report.attempts == report.sent
    # Each person was told their reference, and it is the one lead stored for them.
    assert len(everyone) == HANDOFF_CONVERSATIONS and None not in told.values()
    assert after.leads == {conversation: [reference] for conversation, reference in told.items()}
    # Each notification delivered exactly once, and the outbox says so.
    assert after.accepted == Counter(told.values()) == after.seen
    assert {status for status, _, _ in after.outbox.values()} == {"delivered"}


def test_a_replica_killed_mid_turn_stalls_its_conversations_seconds_not_a_minute(cluster):
    """Last: the killed replica stays down for the rest of the module."""
    _settle(cluster)
    report = Traffic(cluster, "replica-killed", seed=4).run(
        _timed(lambda: cluster.second_rasa.send_signal(signal.SIGKILL)), fault_at=1.5
    )
    _publish(report)
    _assert_every_turn_survived(report)
    assert report.back_to_normal < 8 and report.longest_wait < 9

"""Two Rasa replicas and one action server on PostgreSQL and Redis, as a cluster runs them.

The turns of each conversation go to the replicas in turn, sometimes at the same instant;
the shared tracker store (PostgreSQL) and lock store (Redis, `bot/rasa_server/lock_store.py`) must
keep
every turn, in order, with the same dialogue state whichever replica answers.
"""

from __future__ import annotations

import itertools
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from tests.integration.servers import Stack
from tests.integration.test_screening_conversations import HAPPY
from tests.receiver import Receiver
from tests.services import postgres_server, redis_server

SECRET = "replica-webhook-secret"
SCREENING = ["could ivig help me", *HAPPY, "looks right"]
HANDOFF = ["connect me with a specialist", "yes", "Pat Doe", "call", "415-555-0142", "morning"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cluster")
    receiver = Receiver(SECRET).start()
    with postgres_server() as database, redis_server() as redis_url:
        env = {
            "TRACKER_DB_URL": database,
            "LOCK_STORE_URL": redis_url,
            "DATABASE_URL": database,
            "LEADS_KEY_FILE": str(workdir / "leads.key"),
            "CHANNEL_KEY_FILE": str(workdir / "channel.key"),
            "REPLY_TO_KEY_FILE": str(workdir / "reply-to.pem"),
            "LEADS_WEBHOOK_URL": receiver.url,
            "LEADS_WEBHOOK_SECRET": SECRET,
            "LEADS_OUTBOX_INTERVAL": "0.5",
            "RATE_LIMIT_PER_MINUTE": "1000",
        }
        first = Stack(workdir, extra_env=env)
        try:
            first.start()
            second = first.replica()
            yield first, second, database, receiver
        finally:
            first.stop()
            receiver.stop()


def say(replica: Stack, sender: str, message: str) -> str:
    return "\n".join(m.get("text", "") for m in replica.send(sender, message) or [])


def user_turns(replica: Stack, sender: str) -> list[str]:
    return [e["text"] for e in replica.tracker(sender)["events"] if e["event"] == "user"]


def test_a_screening_alternating_between_replicas_keeps_every_answer(cluster):
    first, second, _, _ = cluster
    replicas = [first, second]
    for turn, message in enumerate(SCREENING):
        reply = say(replicas[turn % 2], "alternating", message)
    # the general dose rates follow the outcome only when the weight was kept
    assert "A good fit for a specialist review" in reply and "2 g per kg" in reply
    assert user_turns(first, "alternating") == user_turns(second, "alternating") == SCREENING
    slots_first = first.tracker("alternating")["slots"]
    assert slots_first == second.tracker("alternating")["slots"]
    assert slots_first["diagnosis"] == "dermatomyositis" and slots_first["us_state"] == "CA"


def test_simultaneous_messages_of_one_conversation_on_both_replicas_are_all_kept(cluster):
    first, second, _, _ = cluster
    rounds = 15
    barrier = threading.Barrier(2)
    replies: list[str] = []

    def send(replica: Stack, name: str) -> None:
        for number in range(rounds):
            barrier.wait()
            replies.append(say(replica, "simultaneous", f"what is ivig {name}{number}"))

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(send, [first, second], ["a", "b"]))
    turns = user_turns(first, "simultaneous")
    assert len(turns) == 2 * rounds and len(set(turns)) == 2 * rounds
    assert all("IVIG" in reply for reply in replies)
    # Each turn's reply follows its own message: user, then the bot's answer, never interleaved.
    events = [e["event"] for e in first.tracker("simultaneous")["events"]]
    kinds = [k for k in events if k in ("user", "bot")]
    assert kinds[-1] == "bot"
    assert all(not (a == b == "user") for a, b in itertools.pairwise(kinds))


@pytest.mark.parametrize("conversations", [8])
def test_concurrent_screenings_and_handoffs_store_each_lead_exactly_once(cluster, conversations):
    first, second, database, receiver = cluster
    replicas = [first, second]

    def run(number: int) -> str:
        sender = f"load-{number}"
        for turn, message in enumerate(SCREENING + HANDOFF):
            reply = say(replicas[(number + turn) % 2], sender, message)
        return re.search(r"Your reference is ([\w-]+)\.", reply).group(1)

    with ThreadPoolExecutor(conversations) as pool:
        references = list(pool.map(run, range(conversations)))
    assert len(set(references)) == conversations
    engine = create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT conversation_id, reference FROM leads WHERE conversation_id LIKE 'load-%'")
        ).all()
    engine.dispose()
    assert sorted(r.conversation_id for r in rows) == sorted(
        f"load-{n}" for n in range(conversations)
    )
    assert {r.reference for r in rows} == set(references)
    assert receiver.wait_for(len(receiver.distinct() | set(references)))
    delivered = [p["reference"] for p in receiver.accepted if p["reference"] in references]
    assert sorted(set(delivered)) == sorted(references)

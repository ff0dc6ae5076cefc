"""With the action server down, hung or failing, people still get emergency guidance first, and
every other message a short apology with the phone and 911, within the bound; once the action
server is back, the conversation goes on where it was.

Real Rasa and action servers on loopback (tests/integration/servers.py), over REST. The action
server is killed in the middle of each conversation; "hung" and "failing" are a real HTTP server
on the action server's port that accepts and never answers, or answers 500. The conversations
as they ran are written to reports/action_server_down.json.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
import yaml

from bot import PROJECT_ROOT
from tests.action_server_stand_in import ActionServerStandIn
from tests.integration.servers import BIN, Stack, wait_until
from tests.integration.test_screening_conversations import HAPPY

TIMEOUT_SECONDS = 3.0  # ACTION_TIMEOUT_SECONDS for this stack
SLACK_SECONDS = 4.0  # the Rasa server's own work in a turn, on a busy 2-core machine
PHONE = "(555) 010-4242"
EMERGENCY_FIRST = "This may be a medical emergency. Call 911 now."
APOLOGY = "Sorry, something went wrong on my side"
CAUTIONED = "I had chest pain yesterday"  # the NLU's red_flag level "caution"
TRANSCRIPTS: dict[str, list[dict[str, object]]] = {}


def default_text(response: str) -> str:
    """A domain response's text for the REST channel (its variant without a channel)."""
    variants = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"][response]
    return next(" ".join(v["text"].split()) for v in variants if "channel" not in v)


class Servers:
    """The stack, with its action server to kill, replace and bring back."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.actions = stack.processes[0]  # Stack.start spawns the action server first

    def kill_actions(self) -> None:
        self.actions.kill()
        self.actions.wait(timeout=20)

    def start_actions(self) -> None:
        self.actions, log = self.stack._spawn("actions-again", [str(BIN / "python"), "-m",
                                                                "bot.action_server"])  # fmt: skip
        wait_until(lambda: requests.get(f"{self.stack.action_url}/health", timeout=2).ok,
                   90, self.actions, log)  # fmt: skip
        self.warm_up()

    def warm_up(self) -> None:
        """A fresh action server loads its language pipeline on the first question, which can
        take longer than this stack's short bound on a busy machine: ask until it answers."""
        for attempt in range(10):
            replies = self.stack.texts(f"warm-up-{time.monotonic_ns()}", "what is ivig?")
            if any("Source:" in text for text in replies):
                return
            time.sleep(0.5 * attempt)
        raise RuntimeError(f"the action server never answered in time: {replies}")

    @contextmanager
    def actions_down(self) -> Iterator[None]:
        self.kill_actions()
        try:
            yield
        finally:
            self.start_actions()

    @contextmanager
    def actions_replaced(self, mode: str) -> Iterator[ActionServerStandIn]:
        self.kill_actions()
        stand_in = ActionServerStandIn(mode, port=self.stack.action_port).start()
        try:
            yield stand_in
        finally:
            stand_in.stop()
            self.start_actions()


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[Servers]:
    workdir = tmp_path_factory.mktemp("action-server-down")
    stack = Stack(workdir, extra_env={
        "ACTION_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        "PHARMACY_PHONE": PHONE,
        "DATABASE_URL": f"sqlite:///{workdir / 'leads.db'}",
        "LEADS_KEY_FILE": str(workdir / "leads.key"),
        "CHANNEL_KEY_FILE": str(workdir / "channel.key"),
        "REPLY_TO_KEY_FILE": str(workdir / "reply-to.pem"),
    })  # fmt: skip
    stack.start()
    running = Servers(stack)
    running.warm_up()
    yield running
    stack.stop()
    (PROJECT_ROOT / "reports").mkdir(exist_ok=True)
    (PROJECT_ROOT / "reports" / "action_server_down.json").write_text(
        json.dumps(TRANSCRIPTS, indent=2)
    )


class Conversation:
    """One REST conversation, timed and kept for the report."""

    def __init__(self, servers: Servers, name: str) -> None:
        self.stack, self.sender = servers.stack, f"{name[:40]}-{time.monotonic_ns()}"
        self.turns = TRANSCRIPTS.setdefault(name, [])

    def say(self, text: str, action_server: str = "up") -> tuple[list[str], float]:
        started = time.monotonic()
        replies = self.stack.texts(self.sender, text)
        seconds = round(time.monotonic() - started, 2)
        self.turns.append({"action_server": action_server, "user": text, "bot": replies,
                           "seconds": seconds})  # fmt: skip
        return replies, seconds


def test_with_the_action_server_killed_emergencies_get_guidance_first_and_others_an_apology(
    servers, request
):
    chat = Conversation(servers, request.node.name)
    answer, _ = chat.say("what is ivig?")
    assert any("Source:" in text for text in answer)
    with servers.actions_down():
        emergency, _ = chat.say("I can't breathe and my throat is swelling", "killed")
        assert emergency[0].startswith(EMERGENCY_FIRST)
        assert emergency[1:] == [default_text("utter_after_emergency")]  # the follow-up failed
        self_harm, _ = chat.say("I want to kill myself", "killed")
        assert "call or text 988" in self_harm[0] and "call 911" in self_harm[0]
        chosen, _ = chat.say("/emergency_self_harm", "killed")
        assert "call or text 988" in chosen[0]
        declined, _ = chat.say("can i drive after ivig?", "killed")
        assert declined == [default_text("utter_not_covered")]  # the honest decline, unaided
        ordinary, _ = chat.say("how is ivig given?", "killed")
        assert len(ordinary) == 1 and ordinary[0].startswith(APOLOGY)
        assert PHONE in ordinary[0] and "In an emergency, call 911." in ordinary[0]
        assert not any("didn't quite follow" in text for text in emergency + ordinary)
        # A red flag mentioned, but neither clearly an emergency nor clearly past: the caution
        # comes first, from the Rasa server, and then the turn's normal reply.
        assert servers.stack.parse(CAUTIONED)["red_flag"]["level"] == "caution"
        cautioned, _ = chat.say(CAUTIONED, "killed")
        assert cautioned[0] == default_text("utter_red_flag_caution")
        assert len(cautioned) >= 2 and cautioned.count(cautioned[0]) == 1
    back, _ = chat.say("how is ivig given?", "back")
    assert any("Source:" in text for text in back) and not back[0].startswith(APOLOGY)


def test_an_emergency_in_the_screening_with_the_action_server_down_comes_first(servers, request):
    chat = Conversation(servers, request.node.name)
    chat.say("could ivig help me")
    for text in HAPPY[:4]:
        chat.say(text)
    with servers.actions_down():
        emergency, _ = chat.say("my husband collapsed and is not breathing", "killed")
        # The screen's own validation is not waited for: guidance, then the screen pauses.
        assert emergency == [default_text("utter_emergency"), default_text("utter_after_emergency")]
        answer, _ = chat.say("no IgA problems, never had a reaction", "killed")
        assert answer[0].startswith(APOLOGY) and PHONE in answer[0]
    resumed, _ = chat.say("/check_eligibility", "back")
    assert any("IgA" in text for text in resumed), resumed


def test_a_hung_action_server_gets_the_apology_within_the_bound(servers, request):
    chat = Conversation(servers, request.node.name)
    chat.say("what is ivig?")
    with servers.actions_replaced("hang"):
        ordinary, seconds = chat.say("how is ivig given?", "hung")
        assert ordinary[0].startswith(APOLOGY) and PHONE in ordinary[0]
        assert seconds < TIMEOUT_SECONDS + SLACK_SECONDS
        emergency, seconds = chat.say("I can't breathe and my throat is swelling", "hung")
        assert emergency[0].startswith(EMERGENCY_FIRST)
        assert seconds < TIMEOUT_SECONDS + SLACK_SECONDS
        # A new conversation starts with a custom action_session_start: it too is bounded,
        # and the first message still gets its guidance first.
        first = Conversation(servers, request.node.name + "-new")
        emergency, seconds = first.say("I want to kill myself", "hung")
        assert "call or text 988" in emergency[0]
        assert seconds < TIMEOUT_SECONDS + SLACK_SECONDS
    back, _ = chat.say("how is ivig given?", "back")
    assert any("Source:" in text for text in back)


def test_an_action_server_answering_500_gets_the_apology_and_is_not_retried_in_the_turn(
    servers, request
):
    chat = Conversation(servers, request.node.name)
    chat.say("what is ivig?")
    with servers.actions_replaced("error") as failing:
        ordinary, _ = chat.say("could ivig help me", "500")
        assert len(ordinary) == 1 and ordinary[0].startswith(APOLOGY) and PHONE in ordinary[0]
        assert failing.requests == 1
    back, _ = chat.say("could ivig help me", "back")
    assert any("who is this for?" in text for text in back)

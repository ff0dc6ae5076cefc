"""The Rasa server starts a turn with the safety reply the NLU's verdict asks for, then the turn
goes on exactly as it would have: a red-flag "caution" gets "if this is happening now, call 911"
(or 988) before the normal answer, inside the screening too, and an emergency whose rule starts
with something else (the handoff form's) still gets its guidance first.

The trained model runs in this process with the project's Rasa patches, against the real
action server on loopback, so that each message's parse data can be set by the test: the
NLU's own verdict, with a `red_flag` added where the test needs a caution.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import yaml
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.utils.endpoints import EndpointConfig

from bot import PROJECT_ROOT
from bot.rasa_server import rasa_patches
from bot.tools import modelfile
from tests import aio
from tests.integration.servers import BIN, Stack, wait_until

CAUTION = {"level": "caution", "category": "breathing", "self_harm": False}
CAUTION_SELF_HARM = {"level": "caution", "category": "self_harm", "self_harm": True}


def default_text(response: str) -> str:
    """A domain response's text for the REST channel (its variant without a channel)."""
    variants = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"][response]
    return next(" ".join(v["text"].split()) for v in variants if "channel" not in v)


@pytest.fixture(scope="module")
def agent(tmp_path_factory) -> Iterator[Agent]:
    model = modelfile.model_path()
    if not model.exists():
        pytest.fail("No trained model: run `make train` (make test does).")
    workdir = tmp_path_factory.mktemp("safety-first")
    stack = Stack(workdir, extra_env={"DATABASE_URL": f"sqlite:///{workdir / 'leads.db'}",
                                      "LEADS_KEY_FILE": str(workdir / "leads.key")})  # fmt: skip
    actions, log = stack._spawn("actions", [str(BIN / "python"), "-m", "bot.action_server"])
    try:
        wait_until(lambda: requests.get(f"{stack.action_url}/health", timeout=2).ok,
                   90, actions, log)  # fmt: skip
        rasa_patches.install()
        endpoint = EndpointConfig(f"{stack.action_url}/webhook", token=stack.action_token,
                                  token_name="action_token")  # fmt: skip
        yield Agent.load(str(model), action_endpoint=endpoint)
    finally:
        stack.stop()


class Chat:
    def __init__(self, agent: Agent, sender: str) -> None:
        self.agent, self.sender = agent, sender

    def say(
        self, text: str, red_flag: dict[str, Any] | None = None, no_flag: bool = False
    ) -> list[str]:
        """The bot's texts for one message, parsed by the model, with `red_flag` set (or, with
        `no_flag`, the NLU's own verdict removed)."""

        async def turn() -> list[str]:
            parse_data = await self.agent.parse_message(text)
            if no_flag:
                parse_data.pop("red_flag", None)
            if red_flag is not None:
                parse_data["red_flag"] = red_flag
            output = CollectingOutputChannel()
            await self.agent.handle_message(
                UserMessage(text, output, self.sender, parse_data=parse_data)
            )
            return [m.get("text") or "" for m in output.messages]

        return aio.run(turn())


def test_a_caution_says_when_to_call_911_and_then_gives_the_same_answer_as_without(agent):
    question = "is shortness of breath a side effect of ivig?"
    plain = Chat(agent, "caution-plain").say(question, no_flag=True)
    cautioned = Chat(agent, "caution-flagged").say(question, CAUTION)
    assert cautioned[0] == default_text("utter_red_flag_caution")
    assert cautioned[1:] == plain and any("Source:" in text for text in plain)


def test_a_caution_about_self_harm_gives_988_first(agent):
    replies = Chat(agent, "caution-self-harm").say("what is ivig", CAUTION_SELF_HARM)
    assert replies[0] == default_text("utter_red_flag_caution_self_harm")
    assert "call or text 988" in replies[0] and len(replies) > 1


def test_a_caution_in_the_screening_comes_first_and_the_screening_goes_on(agent):
    plain, cautioned = Chat(agent, "screen-plain"), Chat(agent, "screen-flagged")
    for chat in (plain, cautioned):
        chat.say("could ivig help me")
        chat.say("it's for me")
    expected = plain.say("dermatomyositis")
    replies = cautioned.say("dermatomyositis", CAUTION)
    assert replies[0] == default_text("utter_red_flag_caution")
    assert replies[1:] == expected and any("prednisone" in text for text in expected)
    assert cautioned.say("none yet") == plain.say("none yet")  # the form state is the same


def test_an_emergency_in_the_handoff_form_gets_its_guidance_first_and_once(agent):
    chat = Chat(agent, "handoff-emergency")
    chat.say("I want to talk to a real person")
    assert any("name" in text.lower() for text in chat.say("/affirm"))
    replies = chat.say("/emergency")
    assert replies[0] == default_text("utter_emergency")
    assert sum("Call 911 now" in text for text in replies) == 1
    assert any(text.startswith("When you are safe") for text in replies[1:])


def test_an_answer_with_no_red_flag_gets_no_safety_reply(agent):
    replies = Chat(agent, "no-flag").say("what is ivig", no_flag=True)
    assert not any("911" in text for text in replies)


def test_a_question_about_a_red_flag_gets_no_caution_first_but_when_to_seek_care_after(agent):
    about = {"level": "about", "category": "breathing", "self_harm": False}
    replies = Chat(agent, "about-flag").say("what is ivig", about)
    assert not replies[0].startswith("First, to be safe")
    assert replies[0].startswith("IVIG") and "call 911 right away" in replies[0]

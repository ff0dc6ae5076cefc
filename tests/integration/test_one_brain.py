"""One brain, every channel: the same FAQ, screening and handoff through each channel's HTTP side.

REST, the widget's socket.io, a signed Twilio SMS webhook and the agent console each carry the
same three conversations to the same Rasa server; only the wording around them may differ
(numbered options on SMS, a script for the agent). Every handoff ends in exactly one stored and
delivered lead that names the channel it came from.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest

from tests.integration.test_agent_console import Call, session
from tests.integration.test_screening_conversations import HAPPY, Chat
from tests.integration.test_socketio_channel import ALLOWED, Widget
from tests.integration.test_twilio_channel import text as sms

_phones = itertools.count(700)
CHANNELS = ["rest", "socketio", "twilio", "agent_assist"]


def joined(replies: list[dict], buttons_key: str) -> str:
    """The turn's texts with button titles in brackets, as Chat.say shows REST replies."""
    parts = []
    for reply in replies:
        parts.append(reply.get("text", ""))
        parts += [f"[{b['title']}]" for b in reply.get(buttons_key) or []]
    return "\n".join(parts)


def rest_driver(stack, twilio_api, sender) -> Callable[[str], str]:
    return Chat(stack, sender).say


def socketio_driver(stack, twilio_api, sender) -> Callable[[str], str]:
    widget = Widget(stack, ALLOWED)
    widget.start_session()

    def say(message: str) -> str:
        return joined(widget.say(message), "quick_replies")

    say.close = widget.close  # type: ignore[attr-defined]
    return say


def twilio_driver(stack, twilio_api, sender) -> Callable[[str], str]:
    phone = f"+1415555{next(_phones):04d}"
    return lambda message: sms(stack, twilio_api, phone, message)


def agent_driver(stack, twilio_api, sender) -> Callable[[str], str]:
    call = Call(stack, session(stack))
    return lambda message: joined(call.say(message), "buttons")


DRIVERS = {
    "rest": rest_driver,
    "socketio": socketio_driver,
    "twilio": twilio_driver,
    "agent_assist": agent_driver,
}


@pytest.fixture(params=CHANNELS)
def channel(request, stack, twilio_api, sender):
    say = DRIVERS[request.param](stack, twilio_api, sender)
    yield request.param, say
    if hasattr(say, "close"):
        say.close()


def test_a_faq_question_gets_the_same_sourced_answer(channel):
    name, say = channel
    answer = say("what is the usual dose of ivig")
    assert "2 g of IVIG per kg" in answer
    assert "Source: IVIG and Myositis (AmeriPharma Specialty Care), references 1, 9." in answer
    if name == "agent_assist":
        assert answer.startswith("Tell the caller: ")


def test_a_full_screening_reaches_the_same_outcome(channel):
    _, say = channel
    first = say("could ivig help me")
    assert "who is this for?" in first.lower() or "is this for you" in first.lower()
    for answer in HAPPY:
        summary = say(answer)
    assert "Weight: 74.8 kg (165 lb)" in summary
    outcome = say("looks right")
    assert "A good fit for a specialist review" in outcome
    assert "2 g per kg" in outcome and "Your prescriber works out the amount" in outcome
    assert "150 g" not in outcome  # the article's rates, never an amount for the weight


def test_a_handoff_stores_and_delivers_one_lead_from_that_channel(channel, receiver):
    name, say = channel
    consent = say("I'd like to talk to a specialist")
    assert "delete" in consent and ("OK?" in consent or "okay?" in consent)
    assert "name" in say("yes")
    assert "reach you" in say("Pat Doe")
    offered = "ending in" in say("call")  # on SMS the sender's own number is offered
    asked = say("yes") if offered else say("415-555-0142")
    assert "best time" in asked
    done = say("morning")
    reference = re.search(r"Your reference is ([\w-]+)\.", done).group(1)
    assert receiver.wait_for(len(receiver.distinct() | {reference}))
    leads = [p for p in receiver.accepted if p["reference"] == reference]
    assert len(leads) == 1 and leads[0]["channel"] == name

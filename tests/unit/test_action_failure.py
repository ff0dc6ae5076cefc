"""What the Rasa server says by itself: safety replies first, and a kind, bounded failure.

The processor-level behaviour (a whole turn with the action server down or hung) is tested on
the real servers in tests/integration/test_action_server_down.py; here are the choices it rests
on, and Rasa's RemoteAction calling real failing servers on loopback.
"""

from __future__ import annotations

import re
import time

import pytest
import yaml
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import PROJECT_ROOT
from bot.rasa_server import action_failure
from bot.rasa_server.action_failure import (
    ActionServerFailed,
    Turn,
    action_timeout,
    check_rasa_version,
    failure_response,
    is_emergency,
    safety_response,
)
from tests import aio
from tests.action_server_stand_in import ActionServerStandIn
from tests.integration.servers import free_port

RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]
CHANNELS = {None, "twilio", "whatsapp", "agent_assist"}
SERVER_REPLIES = (
    "utter_emergency",
    "utter_emergency_self_harm",
    "utter_red_flag_caution",
    "utter_red_flag_caution_self_harm",
    "utter_action_failed",
)


def variants(name: str) -> dict[str | None, str]:
    return {v.get("channel"): " ".join(v["text"].split()) for v in RESPONSES[name]}


def parse(intent: str, **red_flag: object) -> dict:
    """Parse data as the NLU gives it: the intent, and `red_flag` when a red flag was seen."""
    data: dict = {"intent": {"name": intent, "confidence": 1.0}}
    if red_flag:
        data["red_flag"] = red_flag
    return data


# ------------------------------------------------------------------ the bound


@pytest.mark.parametrize(
    ("setting", "seconds"),
    [(None, 8.0), ("", 8.0), ("3", 3.0), ("2.5", 2.5), ("10", 10.0), ("60", 10.0),
     ("0", 8.0), ("-1", 8.0), ("soon", 8.0), ("nan", 8.0), ("inf", 8.0)],
)  # fmt: skip
def test_a_custom_action_may_take_8_seconds_by_default_and_never_more_than_10(setting, seconds):
    environ = {} if setting is None else {"ACTION_TIMEOUT_SECONDS": setting}
    assert action_timeout(environ) == seconds


# ------------------------------------------------------------------ which reply


@pytest.mark.parametrize(
    ("parse_data", "response"),
    [
        (parse("emergency"), "utter_emergency"),
        (parse("emergency", level="emergency", category="breathing", self_harm=False),
         "utter_emergency"),
        (parse("emergency_self_harm"), "utter_emergency_self_harm"),
        (parse("emergency", level="emergency", category="self_harm", self_harm=True),
         "utter_emergency_self_harm"),
        (parse("faq", level="caution", category="breathing", self_harm=False),
         "utter_red_flag_caution"),
        (parse("inform", level="caution", category="self_harm", self_harm=True),
         "utter_red_flag_caution_self_harm"),
        (parse("faq", level="about", category="breathing", self_harm=False), None),
        (parse("faq"), None),
        ({}, None),
        (None, None),
    ],
)  # fmt: skip
def test_the_nlu_verdict_chooses_the_reply_a_turn_starts_with(parse_data, response):
    assert safety_response(parse_data) == response


def test_only_emergencies_skip_an_active_form_and_a_caution_does_not():
    assert is_emergency(parse("emergency")) and is_emergency(parse("emergency_self_harm"))
    assert not is_emergency(parse("inform", level="caution", category="chest", self_harm=False))
    assert not is_emergency(parse("faq")) and not is_emergency(None)


def test_a_failed_emergency_follow_up_says_it_is_there_later_and_any_other_failure_apologises():
    assert failure_response("action_emergency_guidance") == "utter_after_emergency"
    assert failure_response("action_decline") == "utter_not_covered"  # still honest, unaided
    assert failure_response("action_answer_faq") == "utter_action_failed"
    assert failure_response("ivig_screening_form") == "utter_action_failed"


# ------------------------------------------------------------------ the wording


@pytest.mark.parametrize("name", SERVER_REPLIES)
def test_every_reply_the_server_sends_by_itself_has_sms_whatsapp_and_agent_wording(name):
    assert set(variants(name)) == CHANNELS


@pytest.mark.parametrize("name", ["utter_emergency", "utter_red_flag_caution",
                                  "utter_action_failed"])  # fmt: skip
def test_emergency_caution_and_failure_replies_all_say_call_911(name):
    for text in variants(name).values():
        assert re.search(r"\bcall 911\b", text, re.IGNORECASE), text


@pytest.mark.parametrize("name", ["utter_emergency_self_harm", "utter_red_flag_caution_self_harm"])
def test_self_harm_replies_give_988_and_911(name):
    for text in variants(name).values():
        assert "call or text 988" in text.lower() and "call 911" in text.lower(), text


def test_the_emergency_reply_says_call_911_first_and_does_not_offer_driving_oneself():
    for channel, text in variants("utter_emergency").items():
        sentences = re.split(r"(?<=[.?!])\s+", text.removeprefix("Tell the caller now: "))
        assert "Call 911 now." in sentences[:2], (channel, text)
        assert "don't drive yourself" in text.lower(), (channel, text)
        assert "or go to the nearest emergency room" not in text, (channel, text)
        assert text.lower().index("911") < text.lower().index(
            "emergency room" if "emergency room" in text else "the er"
        )


def test_the_caution_names_the_swelling_that_is_an_emergency_not_any_swelling():
    for text in variants("utter_red_flag_caution").values():
        assert re.search(r"(swelling of|swollen) (the )?face, lips, tongue or throat", text), text


def test_the_apology_gives_the_programs_phone_which_the_server_fills_in():
    for text in variants("utter_action_failed").values():
        assert "{phone}" in text


# ------------------------------------------------------------------ the patch


def test_the_patch_is_only_applied_to_the_rasa_it_was_written_for():
    check_rasa_version("3.6.21")
    with pytest.raises(RuntimeError, match=re.escape("Rasa 3.7.0")):
        check_rasa_version("3.7.0")


@pytest.fixture
def patched(monkeypatch):
    """The patch as the Rasa server runs it, with a 1 s bound for these tests."""
    action_failure.install()
    monkeypatch.setitem(action_failure._settings, "timeout", 1.0)


def call(url: str, action: str, turn: Turn) -> list:
    """Runs one custom action through Rasa's RemoteAction, inside a turn."""

    async def run() -> list:
        token = action_failure._turn.set(turn)
        try:
            return await RemoteAction(action, EndpointConfig(url)).run(
                CollectingOutputChannel(),
                TemplatedNaturalLanguageGenerator({}),
                DialogueStateTracker("unit-test", slots=[]),
                Domain.empty(),
            )
        finally:
            action_failure._turn.reset(token)

    return aio.run(run())


@pytest.fixture
def stand_in(request):
    server = ActionServerStandIn(request.param).start()
    yield server
    server.stop()


def test_an_action_server_that_refuses_connections_fails_the_action_and_the_turn(patched):
    turn = Turn()
    with pytest.raises(Exception, match="Couldn't connect"):
        call(f"http://127.0.0.1:{free_port()}/webhook", "action_answer_faq", turn)
    assert turn.unavailable and turn.failed_action == "action_answer_faq"


@pytest.mark.parametrize("stand_in", ["error"], indirect=True)
def test_an_action_server_answering_500_fails_and_is_not_called_again_in_the_same_turn(
    patched, stand_in
):
    turn = Turn()
    with pytest.raises(Exception, match="Failed to execute custom action"):
        call(stand_in.url, "action_answer_faq", turn)
    with pytest.raises(ActionServerFailed, match="skipped"):
        call(stand_in.url, "action_show_sources", turn)
    assert stand_in.requests == 1 and turn.failed_action == "action_show_sources"


@pytest.mark.parametrize("stand_in", ["hang"], indirect=True)
def test_an_action_server_that_never_answers_fails_within_the_bound(patched, stand_in):
    started = time.monotonic()
    with pytest.raises(ActionServerFailed, match=re.escape("took over 1.0 s")):
        call(stand_in.url, "action_answer_faq", Turn())
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("stand_in", ["reject"], indirect=True)
def test_a_form_rejecting_an_answer_is_rasas_normal_flow_not_a_failure(patched, stand_in):
    turn = Turn()
    with pytest.raises(ActionExecutionRejection):
        call(stand_in.url, "validate_ivig_screening_form", turn)
    assert not turn.unavailable and turn.failed_action is None


@pytest.mark.parametrize("stand_in", ["hang"], indirect=True)
def test_a_failed_session_start_falls_back_to_rasas_own_so_the_message_is_still_answered(
    patched, stand_in
):
    turn = Turn()
    events = call(stand_in.url, "action_session_start", turn)
    assert isinstance(events[0], SessionStarted)
    assert turn.unavailable and turn.failed_action is None  # no apology for it

"""What the Rasa server says by itself, whatever the action server does (Rasa 3.6).

People may write to this bot in an emergency, so two things must never wait on the action
server (a separate process that can be down, slow or failing):

1. **Safety first.** A turn whose message the NLU marked as an emergency (`emergency`,
   `emergency_self_harm`) or as a red-flag "caution" (`red_flag.level`) starts with the
   matching domain response. The rules in data/rules/safety.yml choose the emergency responses
   themselves; where a turn's first action is something else (another form's rule, the normal
   answer after a caution), the response is sent before it. It is sent as a bot message only,
   without an action event, so the policies predict the rest of the turn exactly as they would
   have: the normal answer follows, on every channel and inside forms. An emergency in a form
   does not wait for the form's validation (a custom action that could only reject it): the
   form is marked as rejecting it, as it would, and the safety rules answer at once.
2. **A bounded, kind failure.** Rasa's RemoteAction waits up to 300 s for the action server,
   and when a custom action fails, Rasa's processor logs the exception and carries on without
   its events, so the person gets silence or "Sorry, I didn't quite follow". Here each call is
   bounded by ACTION_TIMEOUT_SECONDS (default 8, at most 10); once a custom action has failed,
   the rest of the turn does not call the action server again; and the person gets
   `utter_action_failed` (an apology, the program's phone, "in an emergency, call 911"), or
   `utter_after_emergency` when the emergency follow-up failed after the guidance. Then the
   bot listens, so the conversation goes on where it was when the action server is back. A
   failed `action_session_start` falls back to Rasa's own, so the turn's message is still
   answered (and an emergency gets its guidance first).

Installed from bot.rasa_server.rasa_patches.install(), after a check that the running Rasa is a 3.6
release with the methods patched here.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import rasa
from rasa.core.actions.action import (
    Action,
    ActionBotResponse,
    ActionExecutionRejection,
    ActionListen,
    ActionSessionStart,
    RemoteAction,
    create_bot_utterance,
)
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecutionRejected
from rasa.shared.exceptions import RasaException

from bot.core import program
from bot.core.program import load_program, phone_text
from bot.startup import env

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6."
TIMEOUT_ENV = "ACTION_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 8.0
MAX_TIMEOUT_SECONDS = 10.0

FAILURE_RESPONSE = "utter_action_failed"
# Actions whose failure deserves another reply than the apology.
FAILURE_RESPONSES = {
    "action_emergency_guidance": "utter_after_emergency",
    # The honest decline needs nothing of the action server but its follow-up reading.
    "action_decline": "utter_not_covered",
}
EMERGENCY_RESPONSES = {
    "emergency": "utter_emergency",
    "emergency_self_harm": "utter_emergency_self_harm",
}
CAUTION_RESPONSE = "utter_red_flag_caution"
CAUTION_SELF_HARM_RESPONSE = "utter_red_flag_caution_self_harm"


def action_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds one custom action may take. Unset or unreadable means the default, and no
    setting makes a person wait longer than MAX_TIMEOUT_SECONDS."""
    raw = env.text(TIMEOUT_ENV) if environ is None else (environ.get(TIMEOUT_ENV) or "").strip()
    try:
        seconds = float(raw) if raw else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        logger.warning("%s=%r is not a positive number of seconds; using %s.", TIMEOUT_ENV, raw,
                       DEFAULT_TIMEOUT_SECONDS)  # fmt: skip
        return DEFAULT_TIMEOUT_SECONDS
    if seconds > MAX_TIMEOUT_SECONDS:
        logger.warning("%s=%s is over the limit; using %s.", TIMEOUT_ENV, raw, MAX_TIMEOUT_SECONDS)
        return MAX_TIMEOUT_SECONDS
    return seconds


def safety_response(parse_data: Mapping[str, Any] | None) -> str | None:
    """The response a turn must start with, from the NLU's verdict on its message."""
    parse_data = parse_data or {}
    intent = (parse_data.get("intent") or {}).get("name")
    flag = parse_data.get("red_flag") or {}
    self_harm = bool(flag.get("self_harm"))
    if intent == "emergency" and self_harm:
        return EMERGENCY_RESPONSES["emergency_self_harm"]
    if intent in EMERGENCY_RESPONSES:
        return EMERGENCY_RESPONSES[intent]
    if flag.get("level") == "caution":
        return CAUTION_SELF_HARM_RESPONSE if self_harm else CAUTION_RESPONSE
    return None


def is_emergency(parse_data: Mapping[str, Any] | None) -> bool:
    """An emergency or self-harm message, as opposed to a caution or anything else."""
    intent = ((parse_data or {}).get("intent") or {}).get("name")
    return intent in EMERGENCY_RESPONSES


def failure_response(action_name: str) -> str:
    """What the person is told when `action_name` failed or took too long."""
    return FAILURE_RESPONSES.get(action_name, FAILURE_RESPONSE)


def check_rasa_version(version: str = rasa.__version__) -> None:
    """Refuses to patch a Rasa whose processor this module was not written against."""
    if not version.startswith(SUPPORTED_RASA):
        raise RuntimeError(
            f"action_failure.py patches Rasa {SUPPORTED_RASA}x's MessageProcessor "
            f"and RemoteAction; this is Rasa {version}. Check the patch before upgrading."
        )
    for owner, name in _PATCHED:
        if not asyncio.iscoroutinefunction(getattr(owner, name, None)):
            raise RuntimeError(f"Rasa {version} has no coroutine {owner.__name__}.{name}.")


class ActionServerFailed(RasaException):
    """A custom action that failed, took too long, or was skipped after an earlier failure."""


@dataclass
class Turn:
    """What one turn of one conversation has seen of the action server."""

    safety_first: str | None = None  # a response owed before the turn's first action
    emergency: bool = False  # the message is an emergency: an active form is not asked
    said: str | None = None  # the safety response already sent this turn
    unavailable: bool = False  # a call failed: skip the action server for the rest of the turn
    failed_action: str | None = None  # the custom action that failed in the running action


_turn: ContextVar[Turn | None] = ContextVar("ivig_turn", default=None)
_settings: dict[str, Any] = {}


class ProgramResponse(ActionBotResponse):
    """A domain response with the program's phone filled in, without the action server."""

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        message = await nlg.generate(
            self.utter_action, tracker, output_channel.name(), phone=_settings["phone"]
        )
        if message is None:
            logger.error("No response %s in the domain.", self.utter_action)
            return []
        message["utter_action"] = self.utter_action
        return [create_bot_utterance(message)]


async def _remote_run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any,
                      domain: Any) -> list[Any]:  # fmt: skip
    turn = _turn.get()
    seconds = _settings["timeout"]
    error: Exception
    if turn is not None and turn.unavailable:
        error = ActionServerFailed(
            f"Custom action '{self.name()}' skipped: the action server failed earlier this turn."
        )
    else:
        try:
            return await asyncio.wait_for(
                _originals["remote_run"](self, output_channel, nlg, tracker, domain), seconds
            )
        except ActionExecutionRejection:
            raise  # a form rejecting an answer: Rasa's normal flow, not a failure
        except asyncio.TimeoutError:
            error = ActionServerFailed(f"Custom action '{self.name()}' took over {seconds} s.")
        except Exception as e:  # connection refused, 5xx, an invalid reply, ...
            error = e
    logger.error("Custom action '%s' failed: %s", self.name(), error)
    if turn is not None:
        turn.unavailable = True
    if self.name() == ACTION_SESSION_START_NAME:
        # Rasa's own session start (slots carried over, as session_config asks), so the
        # message that started the session is still handled.
        return await ActionSessionStart().run(output_channel, nlg, tracker, domain)
    if turn is not None:
        turn.failed_action = self.name()
    raise error


async def _say(processor: MessageProcessor, response: str, tracker: Any,
               output_channel: Any) -> None:  # fmt: skip
    """Sends a response as bot messages only: the policies' view of the turn is unchanged."""
    events = await ActionBotResponse(response).run(
        output_channel, processor.nlg, tracker, processor.domain
    )
    tracker.update_with_events(events, processor.domain)
    await processor._send_bot_messages(events, tracker, output_channel)


class _Silently(Action):
    """An action logged as run without sending anything: its message was already sent."""

    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name

    async def run(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []


async def _run_action(self: MessageProcessor, action: Any, tracker: Any, output_channel: Any,
                      nlg: Any, prediction: Any) -> bool:  # fmt: skip
    original = _originals["run_action"]
    turn = _turn.get()
    if turn is None:  # an action run through the HTTP API, outside a person's turn
        return await original(self, action, tracker, output_channel, nlg, prediction)
    if turn.emergency and action.name() == tracker.active_loop_name:
        # Rasa first offers an active form every message; its validation (a custom action)
        # can only reject an emergency, and would make it wait on the action server. Rejected
        # here as the form would, the safety rules answer at once.
        tracker.update(ActionExecutionRejected(action.name(), prediction.policy_name,
                                               prediction.max_confidence))  # fmt: skip
        return True
    if turn.safety_first is not None:
        owed, turn.safety_first = turn.safety_first, None
        if action.name() != owed:
            await _say(self, owed, tracker, output_channel)
            turn.said = owed
    elif action.name() == turn.said:  # a rule's own step: logged for the rule, not said twice
        action = _Silently(action.name())
    turn.failed_action = None
    keep_going = await original(self, action, tracker, output_channel, nlg, prediction)
    if turn.failed_action is None:
        return keep_going
    turn.failed_action = None
    response = failure_response(action.name())
    await original(self, ProgramResponse(response), tracker, output_channel, nlg,
                   PolicyPrediction.for_action_name(self.domain, response))  # fmt: skip
    await original(self, ActionListen(), tracker, output_channel, nlg,
                   PolicyPrediction.for_action_name(self.domain, ACTION_LISTEN_NAME))  # fmt: skip
    return False


async def _run_prediction_loop(self: MessageProcessor, output_channel: Any, tracker: Any) -> None:
    turn, token = _turn.get(), None
    if turn is None:  # a reminder or an external event: a turn of its own
        turn = Turn()
        token = _turn.set(turn)
    parse_data = tracker.latest_message.parse_data if tracker.latest_message else None
    turn.safety_first = safety_response(parse_data)
    turn.emergency = is_emergency(parse_data)
    try:
        await _originals["prediction_loop"](self, output_channel, tracker)
    finally:
        turn.safety_first, turn.emergency, turn.said = None, False, None
        if token is not None:
            _turn.reset(token)


async def _handle_message(self: MessageProcessor, message: Any) -> Any:
    token = _turn.set(Turn())
    try:
        return await _originals["handle_message"](self, message)
    finally:
        _turn.reset(token)


_PATCHED = (
    (RemoteAction, "run"),
    (MessageProcessor, "_run_action"),
    (MessageProcessor, "_run_prediction_loop"),
    (MessageProcessor, "handle_message"),
)
_originals: dict[str, Any] = {}


@functools.lru_cache(maxsize=1)
def _program_phone() -> str:
    return phone_text(load_program())


def install(environ: Mapping[str, str] | None = None) -> None:
    """Idempotent; reads the timeout and the program's phone once."""
    if _originals:
        return
    check_rasa_version()
    if not program.configured():  # Rasa started without `python -m bot.rasa_server`
        program.configure({n: env.text(n) for n in program.PROGRAM_SETTINGS})
    _settings.update(timeout=action_timeout(environ), phone=_program_phone())
    _originals.update(
        remote_run=RemoteAction.run,
        run_action=MessageProcessor._run_action,
        prediction_loop=MessageProcessor._run_prediction_loop,
        handle_message=MessageProcessor.handle_message,
    )
    RemoteAction.run = _remote_run  # type: ignore[method-assign]
    MessageProcessor._run_action = _run_action  # type: ignore[method-assign]
    MessageProcessor._run_prediction_loop = _run_prediction_loop  # type: ignore[method-assign]
    MessageProcessor.handle_message = _handle_message  # type: ignore[method-assign]

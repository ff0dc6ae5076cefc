"""Rasa 3.6 corrections for turns whose stores fail: fail loudly, and never process a turn twice.

1. Rasa wraps every tracker store in `FailSafeTrackerStore`, which on a database error logs,
   returns no tracker (so the turn starts from a blank conversation) and saves into an
   in-memory store nobody reads again: the person is answered out of context and the turn is
   lost. Here the wrapper raises `TrackerStoreUnavailableError` instead, so the turn fails as a
   whole and the channel can tell the person (`failure_reply`).
2. A message that arrives again with a message id already stored in the conversation (a
   client's retry after a timeout, Twilio re-delivering a webhook) is answered with the bot
   messages of the stored turn, inside the conversation's lock, instead of being processed
   twice. The id is the `UserMessage`'s `message_id` (or `message_id` in its metadata) and is
   stored in the user event as Rasa does.

Checked against Rasa's version before patching; registered in
`bot.rasa_server.rasa_patches.install()`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import rasa
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.core import safety

logger = logging.getLogger(__name__)

FAILED_TURN_RESPONSE = "utter_turn_failed"
MESSAGE_ID = re.compile(r"^[\w.:@-]{1,128}$")
# The id Rasa gives a message no one named (uuid4().hex): never a retry, so with a store that
# must decode the whole conversation to look, not worth looking up.
RASA_MESSAGE_ID = re.compile(r"^[0-9a-f]{32}$")


class TrackerStoreUnavailableError(RasaException):
    """The tracker store could not be read or written: the turn cannot go on."""


def failure_reason(error: BaseException) -> str:
    """A short machine-readable reason for a failed turn, for the client (never personal data)."""
    if isinstance(error, TrackerStoreUnavailableError):
        return "conversation_store_unavailable"
    if isinstance(error, LockError):
        return "conversation_lock_unavailable"
    return "turn_failed"


def failure_reply(domain: Domain, output_channel: str, text: str | None) -> list[dict[str, Any]]:
    """What the person is told when their turn failed: emergency guidance first if it is one.

    The red-flag check is deterministic and needs no store, so an emergency typed while the
    stores are down still gets "call 911" before "please try again".
    """
    generator = TemplatedNaturalLanguageGenerator(domain.responses)
    names = []
    flag = safety.detect(text or "")
    urgent = flag is not None and (flag.is_emergency or flag.is_self_harm)
    if urgent and not flag.is_question_about:
        names.append("utter_emergency_self_harm" if flag.is_self_harm else "utter_emergency")
    names.append(FAILED_TURN_RESPONSE)
    replies = []
    for name in names:
        reply = generator.generate_from_slots(name, {}, output_channel)
        if reply:
            replies.append({key: value for key, value in reply.items() if value is not None})
    return replies


def client_message_id(value: object) -> str | None:
    """A message id a client or channel supplied, when it is a plain short id."""
    if isinstance(value, str) and MESSAGE_ID.match(value):
        return value
    return None


def stored_reply(events: list[Event], message_id: str) -> list[BotUttered] | None:
    """The bot messages of the stored turn that began with `message_id`; None if not stored."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, UserUttered) and event.message_id == message_id:
            reply = []
            for later in events[index + 1 :]:
                if isinstance(later, UserUttered):
                    break
                if isinstance(later, BotUttered):
                    reply.append(later)
            return reply
    return None


async def _retrieve(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as error:
        raise _unavailable("read", error) from error


async def _retrieve_full(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    try:
        return await self._tracker_store.retrieve_full_tracker(sender_id)
    except Exception as error:
        raise _unavailable("read", error) from error


async def _save(self: FailSafeTrackerStore, tracker: DialogueStateTracker) -> None:
    try:
        await self._tracker_store.save(tracker)
    except Exception as error:
        raise _unavailable("write", error) from error


async def _keys(self: FailSafeTrackerStore) -> Any:
    try:
        return await self._tracker_store.keys()
    except Exception as error:
        raise _unavailable("list", error) from error


def _unavailable(what: str, error: Exception) -> TrackerStoreUnavailableError:
    from bot.rasa_server.lock_store import _warnings

    _warnings.warn(
        f"tracker-{what}", "The tracker store failed to %s a conversation (%s); the turn fails.",
        what, type(error).__name__,
    )  # fmt: skip
    return TrackerStoreUnavailableError(f"The tracker store could not {what} the conversation.")


async def _handle_message(self: MessageProcessor, message: UserMessage) -> Any:
    """Rasa's `handle_message`, except that a stored message id is answered from its turn.

    Runs inside the conversation's lock (Rasa's agent takes it first), so a retry that
    arrives while the first attempt is still running waits and then finds it stored.
    """
    metadata_id = client_message_id((message.metadata or {}).get("message_id"))
    if metadata_id:
        message.message_id = metadata_id
    replay = None
    if _worth_looking_up(self.tracker_store, message.message_id, named=bool(metadata_id)):
        events = await _session_events(self.tracker_store, message.sender_id)
        replay = stored_reply(events, message.message_id) if events else None
    if replay is None:
        return await _ORIGINALS["handle_message"](self, message)
    logger.debug("A message id already stored: answered from its turn, not processed again")
    for event in replay:
        await message.output_channel.send_response(message.sender_id, event.message())
    if isinstance(message.output_channel, CollectingOutputChannel):
        return message.output_channel.messages
    return None


def _inner(store: Any) -> Any:
    while not hasattr(store, "session_events") and hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _worth_looking_up(store: Any, message_id: str | None, named: bool) -> bool:
    """Always with the caching store (it answers from memory); with others, which decode the
    whole conversation to look, only for an id that a client or channel gave."""
    if not message_id:
        return False
    return (
        named or hasattr(_inner(store), "session_events") or not RASA_MESSAGE_ID.match(message_id)
    )


async def _session_events(store: Any, sender_id: str) -> list[Event] | None:
    """The stored events of the conversation's session, cheaply where the store allows."""
    inner = _inner(store)
    try:
        if hasattr(inner, "session_events"):
            return await inner.session_events(sender_id)
        tracker = await store.retrieve(sender_id)
    except TrackerStoreUnavailableError:
        raise
    except Exception as error:
        raise _unavailable("read", error) from error
    return list(tracker.events) if tracker is not None else None


_ORIGINALS: dict[str, Any] = {}


def install() -> None:
    """Idempotent. Refuses a Rasa these corrections were not written against."""
    if _ORIGINALS:
        return
    if not rasa.__version__.startswith("3.6."):
        raise RuntimeError(
            f"bot/rasa_server/store_failsafe.py is written for Rasa 3.6, not {rasa.__version__}"
        )
    _ORIGINALS.update(
        retrieve=FailSafeTrackerStore.retrieve,
        retrieve_full=FailSafeTrackerStore.retrieve_full_tracker,
        save=FailSafeTrackerStore.save,
        keys=FailSafeTrackerStore.keys,
        handle_message=MessageProcessor.handle_message,
    )
    FailSafeTrackerStore.retrieve = _retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = _retrieve_full  # type: ignore[method-assign]
    FailSafeTrackerStore.save = _save  # type: ignore[method-assign]
    FailSafeTrackerStore.keys = _keys  # type: ignore[method-assign]
    MessageProcessor.handle_message = _handle_message  # type: ignore[method-assign]


def uninstall() -> None:
    """Rasa as it ships (for tests that compare the two)."""
    if not _ORIGINALS:
        return
    FailSafeTrackerStore.retrieve = _ORIGINALS["retrieve"]  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = _ORIGINALS["retrieve_full"]  # type: ignore[method-assign]
    FailSafeTrackerStore.save = _ORIGINALS["save"]  # type: ignore[method-assign]
    FailSafeTrackerStore.keys = _ORIGINALS["keys"]  # type: ignore[method-assign]
    MessageProcessor.handle_message = _ORIGINALS["handle_message"]  # type: ignore[method-assign]
    _ORIGINALS.clear()

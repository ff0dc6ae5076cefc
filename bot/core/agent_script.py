"""Bot replies phrased as a script an agent reads to a caller.

The domain's `agent_assist` response variants already speak to the agent ("Ask the caller:
..."). Everything else (FAQ answers from the response selector, default variants, texts of the
content files) is written to the user, so it gets a cue here. Which replies ask the caller
something is data: a response variant in domain.yml that asks is marked
`metadata: {asks_caller: true}`, and Rasa hands that metadata to the output channel with the
reply. A marked reply is something to ask, everything else (answers, even ending in a question
mark or with follow-up buttons) something to tell. A cue is never added twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CUES = ("Ask the caller", "Tell the caller", "Read this", "Read to the caller", "The assistant",
        "When the caller")  # fmt: skip
ASKS_CALLER = "asks_caller"  # the metadata key of a response variant that asks the caller


def has_cue(text: str) -> bool:
    return text.lstrip().startswith(CUES)


def asks_caller(message: Mapping[str, Any]) -> bool:
    """Whether a reply (as Rasa hands it to an output channel) comes from a response variant
    marked as asking the caller something."""
    metadata = message.get("metadata")
    return isinstance(metadata, Mapping) and metadata.get(ASKS_CALLER) is True


def scripted(text: str, asks: bool = False) -> str:
    """The text with an "Ask the caller:" (when `asks`) or "Tell the caller:" cue in front."""
    if not text.strip() or has_cue(text):
        return text
    cue = "Ask the caller" if asks else "Tell the caller"
    return f"{cue}: {text.strip()}"


class ScriptedReplies:
    """Put in front of an output channel's bases: each reply's text gets its cue, read from the
    reply's metadata, before the channel sends it on (`send_response(recipient_id, message)`)."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = message.get("text")
        if isinstance(text, str) and text:
            message = {**message, "text": scripted(text, asks_caller(message))}
        await super().send_response(recipient_id, message)  # type: ignore[misc]

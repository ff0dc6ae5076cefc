"""Bot replies phrased as a script an agent reads to a caller.

The domain's `agent_assist` response variants already speak to the agent ("Ask the caller:
..."). Everything else (FAQ answers from the response selector, texts built by actions) is
written to the user, so it gets a cue here: a text that ends in a question is something to ask,
the rest (answers, even with follow-up buttons) something to tell. A cue is never added twice.
"""

from __future__ import annotations

CUES = ("Ask the caller", "Tell the caller", "Read this", "Read to the caller", "The assistant",
        "When the caller")  # fmt: skip


def has_cue(text: str) -> bool:
    return text.lstrip().startswith(CUES)


def is_question(text: str) -> bool:
    return text.rstrip().endswith("?")


def scripted(text: str) -> str:
    """The text with an "Ask the caller:" or "Tell the caller:" cue in front."""
    if not text.strip() or has_cue(text):
        return text
    cue = "Ask the caller" if is_question(text) else "Tell the caller"
    return f"{cue}: {text.strip()}"

"""An agent's call notes: the wrap-up comes from the list, the notes are plain text of a bounded
length, and anything else is refused rather than stored changed."""

import pytest

from bot.core import call_notes
from bot.core.call_notes import CallNotes, checked


def test_the_wrap_up_list_is_data_with_unique_keys_and_labels():
    wrap_ups = call_notes.settings().wrap_ups
    keys = [w.key for w in wrap_ups]
    assert "referred" in keys and len(set(keys)) == len(keys)
    assert all(w.label for w in wrap_ups)


def test_notes_are_kept_as_plain_lines_without_control_characters_or_runs_of_spaces():
    raw = {
        "notes": "  Prefers   mornings.\r\n\n\x07Asked about copay\t help. ",
        "wrap_up": "referred",
    }
    assert checked(raw) == CallNotes("Prefers mornings.\nAsked about copay help.", "referred")


def test_a_wrap_up_alone_is_enough():
    assert checked({"wrap_up": "dropped"}) == CallNotes("", "dropped")


@pytest.mark.parametrize("raw", [
    None, "referred", {"notes": "x"}, {"notes": "x", "wrap_up": "made_up"},
    {"notes": 5, "wrap_up": "referred"}, {"notes": "x" * 2001, "wrap_up": "referred"},
])  # fmt: skip
def test_anything_else_is_refused(raw):
    assert checked(raw) is None

"""The widget's message id: a plain client-made id is kept; anything else is left to the server."""

import pytest

from bot.rasa_server.channels.socketio import widget_message_id


@pytest.mark.parametrize(
    "value", ["a", "msg_01-AZ", "x" * 64, "0f3c9e2a-7b1d-4c55-9e0a-1b2c3d4e5f60"]
)
def test_a_plain_id_of_at_most_64_characters_is_kept(value):
    assert widget_message_id(value) == value


@pytest.mark.parametrize(
    "value",
    ["", "x" * 65, "has space", "dot.ted", "colon:id", "at@id", "new\nline", "é", None, 7, ["a"]],
)
def test_anything_else_is_ignored(value):
    assert widget_message_id(value) is None

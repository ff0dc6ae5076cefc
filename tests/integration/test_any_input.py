"""Any input over the real HTTP channel gets a sensible reply, and the server keeps answering."""

import json
import sqlite3

import pytest
import requests

from tests.integration.test_screening_conversations import HAPPY, Chat


def post_raw(stack, body: bytes) -> requests.Response:
    return requests.post(
        f"{stack.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )


def still_answers(stack, sender) -> None:
    assert "Source:" in Chat(stack, sender).say("what is ivig")


@pytest.mark.parametrize(
    ("message", "reply_start"),
    [
        ("", "I didn't get any text"),
        ("   \n ", "I didn't get any text"),
        ("x" * 10_000, "That message is longer than I can read at once (up to 2000 characters)"),
        ("😀😀😀", "I can't read emoji or symbols on their own"),
        ("hola, necesito ayuda con mi medicina", "Sorry, I can only chat in English for now"),
        ("<b></b>", "I can only read plain text"),
    ],
)
def test_unreadable_input_gets_a_clear_kind_reply(stack, sender, message, reply_start):
    assert Chat(stack, sender).say(message).startswith(reply_start)
    still_answers(stack, sender)


def test_markup_is_never_stored_or_echoed(stack, sender):
    reply = Chat(stack, sender).say("<script>alert('x')</script><b>what is ivig</b>")
    assert "Source:" in reply and "<" not in reply
    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchall()
    texts = [json.loads(data)["text"] for (data,) in rows]
    assert texts and all("<" not in text and "script" not in text for text in texts)


def test_sql_looking_text_is_just_text(stack, sender):
    reply = Chat(stack, sender).say("'; DROP TABLE events; --")
    assert reply
    still_answers(stack, sender)


def test_control_characters_are_dropped(stack, sender):
    assert "Source:" in Chat(stack, sender).say("what\x00 is\x07 ivig\x1b")


def test_invalid_utf8_bytes_get_an_answer_not_an_error(stack, sender):
    body = b'{"sender": "' + sender.encode() + b'", "message": "what is ivig \xff\xfe"}'
    response = post_raw(stack, body)
    assert response.status_code == 200
    assert "Source:" in response.json()[0]["text"]


def test_the_same_message_repeated_fast_is_slowed_down_and_the_bot_recovers(stack, sender):
    chat = Chat(stack, sender)
    for _ in range(30):
        chat.say("hi")
    body = json.dumps({"sender": sender, "message": "hi"}).encode()
    refused = post_raw(stack, body)
    assert refused.status_code == 429
    reply = refused.json()[0]["text"]
    assert reply.startswith("You're sending messages faster than I can read them")
    assert "send it again" in reply  # it says the message was dropped; no queue is promised
    other = Chat(stack, sender + "-other")
    assert "Source:" in other.say("what is ivig")


def test_bad_input_in_the_middle_of_the_screen_keeps_the_screen_going(stack, sender):
    chat = Chat(stack, sender)
    chat.say("could ivig help me")
    chat.run(*HAPPY[:5])
    reply = chat.say("😀")
    assert "emoji" in reply and "What is the weight" in reply
    assert "kind of health insurance" in chat.say("165 lbs")

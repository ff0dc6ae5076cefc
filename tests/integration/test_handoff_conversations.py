"""The specialist handoff over REST: consent, contact capture, one stored lead, one signed POST."""

import os
import sqlite3
import subprocess
import sys

from bot import PROJECT_ROOT
from tests.integration.test_screening_conversations import HAPPY, Chat


def leads_cli(stack, *args: str) -> str:
    env = {**os.environ, **stack.extra_env}
    env.pop("LEADS_WEBHOOK_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.action_server.leads", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def give_contact(chat: Chat) -> str:
    assert "What name should the specialist ask for?" in chat.say("yes")
    assert "How should we reach you?" in chat.say("Zelda Quimby")
    assert "What phone number" in chat.say("call")
    assert "best time" in chat.say("415-555-0199")
    return chat.say("morning")


def test_a_screen_ending_with_consent_creates_one_lead_and_one_signed_post(stack, sender, receiver):
    chat = Chat(stack, sender)
    chat.say("could ivig help me")
    chat.run(*HAPPY, "looks right")
    consent = chat.say("/request_human")
    assert "Only our IVIG specialists see them" in consent and "[Yes, that's okay]" in consent
    done = give_contact(chat)
    assert done.startswith("Thank you.") and "will call you" in done
    assert "Zelda" not in done  # the name is stored in the lead, not echoed into transcripts
    reference = done.split("Your reference is ")[1].split(".")[0]
    assert receiver.wait_for(len(receiver.distinct() | {reference}))
    posted = [p for p in receiver.accepted if p["reference"] == reference]
    assert len(posted) == 1
    assert posted[0]["contact"]["phone"] == "+14155550199"
    assert posted[0]["outcome"] == ["specialist_review"]
    assert posted[0]["screening"]["diagnosis"] == "dermatomyositis"
    listing = leads_cli(stack, "list")
    assert reference in listing and listing.count(reference) == 1
    db = (stack.workdir / "leads.db").read_bytes()
    assert b"Zelda" not in db and b"4155550199" not in db


def test_saying_no_to_consent_stores_nothing_and_gives_the_phone_and_hours(stack, sender):
    chat = Chat(stack, sender)
    chat.say("I want to talk to a real person")
    reply = chat.say("no")
    assert "I haven't stored anything" in reply and "Monday to Friday" in reply
    assert sender not in leads_cli(stack, "export", "--csv")


def test_a_bad_phone_and_a_bad_email_are_asked_again(stack, sender):
    chat = Chat(stack, sender)
    chat.say("can someone call me")
    chat.say("yes")
    chat.say("Ada Lovelace")
    chat.say("call")
    assert "doesn't look like a valid phone number" in chat.say("12345")
    assert "best time" in chat.say("(415) 555-0142")
    other = Chat(stack, sender + "-email")
    other.say("connect me with someone")
    other.say("yes")
    other.say("Ada Lovelace")
    assert "email address" in other.say("email")
    assert "doesn't look like" in other.say("ada@")
    assert "best time" in other.say("ada@example.com")


def test_delete_my_information_erases_the_lead(stack, sender, receiver):
    chat = Chat(stack, sender)
    chat.say("please have a specialist contact me")
    done = give_contact(chat)
    reference = done.split("Your reference is ")[1].split(".")[0]
    assert reference in leads_cli(stack, "list")
    assert "delete" in chat.say("delete my information").lower()
    assert "I deleted your referral" in chat.say("yes")
    assert reference not in leads_cli(stack, "list")
    with sqlite3.connect(stack.tracker_db) as db:
        stored = " ".join(d for (d,) in db.execute(
            "SELECT data FROM events WHERE sender_id = ?", (sender,)))  # fmt: skip
    assert "Zelda" not in stored and "415-555-0199" not in stored and "4155550199" not in stored
    assert "Source:" in chat.say("what is ivig")  # the conversation still works


def test_a_double_submit_of_the_same_handoff_stores_one_lead(stack, sender):
    chat = Chat(stack, sender)
    chat.say("can someone call me")
    give_contact(chat)
    before = leads_cli(stack, "export", "--csv").count("Zelda")
    # Replaying the lead action for the same consent must not create a second lead.
    stack.trigger_action(sender, "action_create_lead")
    assert leads_cli(stack, "export", "--csv").count("Zelda") == before


def test_a_question_while_the_name_is_asked_is_answered_and_is_not_taken_as_the_name(stack, sender):
    chat = Chat(stack, sender)
    assert "Is that okay?" in chat.say("can someone call me about my mom's ivig")
    assert "What name should the specialist ask for?" in chat.say("yes")
    reply = chat.say("While I wait, what side effects should she expect?")
    assert "side effects" in reply and "Source:" in reply
    assert reply.rstrip().endswith("What name should the specialist ask for?")
    assert stack.tracker(sender)["slots"]["contact_name"] is None
    assert "How should we reach you?" in chat.say("Zelda Quimby")


def test_asking_to_be_forgotten_in_the_middle_of_contact_capture_stops_it_and_erases(stack, sender):
    chat = Chat(stack, sender)
    chat.say("can someone call me about copay help")
    assert "What name should the specialist ask for?" in chat.say("yes")
    chat.say("Zelda Quimby")
    confirm = chat.say("actually I don't want anything I told you kept on file")
    assert "This can't be undone." in confirm and "How should we reach you?" not in confirm
    assert stack.tracker(sender)["active_loop"].get("name") is None
    assert chat.say("Yes, delete them").startswith("Done.")
    with sqlite3.connect(stack.tracker_db) as db:
        stored = " ".join(d for (d,) in db.execute(
            "SELECT data FROM events WHERE sender_id = ?", (sender,)))  # fmt: skip
    assert "Zelda" not in stored


def test_asking_to_be_forgotten_in_the_middle_of_the_screening_stops_it_and_asks_first(
    stack, sender
):
    chat = Chat(stack, sender)
    chat.say("could ivig help me")
    chat.say("for me")
    confirm = chat.say("delete my information")
    assert "This can't be undone." in confirm and "couldn't read that" not in confirm
    assert stack.tracker(sender)["active_loop"].get("name") is None
    assert chat.say("yes").startswith("Done.")

"""The attacks of issue 14, replayed against real servers on loopback. Each one worked before
its fix; the finding's number starts the test's name. Requests that carry X-Forwarded-For come
"through" the reverse proxy on loopback (a trusted proxy by default) from an outside address.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
import requests
import socketio
from twilio.request_validator import RequestValidator

from bot import PROJECT_ROOT
from tests.integration.servers import free_port
from tests.integration.test_screening_conversations import HAPPY, Chat
from tests.security.conftest import AGENT_TOKEN, PER_ADDRESS, PUBLIC_URL, TWILIO_TOKEN

AGENT = "/webhooks/agent"
ORIGIN = "http://localhost:5005"
_phones = itertools.count(300)
_sids = itertools.count(1)


def rest(stack, body, **kwargs) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    return requests.post(
        f"{stack.url}/webhooks/rest/webhook", data=data, headers=headers, timeout=30, **kwargs
    )


def tracker_rows(stack, sender: str | None = None) -> list[tuple[str, str, str]]:
    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute("SELECT sender_id, type_name, data FROM events").fetchall()
    return [row for row in rows if sender is None or row[0] == sender]


def leads_rows(stack) -> list[tuple]:
    with sqlite3.connect(stack.workdir / "leads.db") as db:
        return db.execute("SELECT id, reference, conversation_id FROM leads").fetchall()


def texted(stack, phone: str, body: str, sid: str | None = None) -> str:
    """What the bot texted back to one signed Twilio webhook call."""
    params = {"From": phone, "Body": body, "NumMedia": "0",
              "MessageSid": sid or f"SM{next(_sids):032d}"}  # fmt: skip
    url = f"{PUBLIC_URL}/webhooks/twilio/webhook"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    before = len(stack.twilio.to(phone, wait=0))
    reply = requests.post(
        f"{stack.url}/webhooks/twilio/webhook", data=params,
        headers={"X-Twilio-Signature": signature}, timeout=30,
    )  # fmt: skip
    assert reply.status_code == 204
    return "\n".join(m["Body"] for m in stack.twilio.to(phone, after=before, wait=3))


class Widget:
    """A socket.io client doing what the widget does."""

    def __init__(self, stack) -> None:
        self.client = socketio.Client(reconnection=False)
        self.replies: list[dict] = []
        self.session: str | None = None
        self._got, self._confirmed = threading.Event(), threading.Event()
        self.client.on("bot_uttered", self._reply)
        self.client.on("session_confirm", self._confirm)
        self.client.connect(stack.url, headers={"Origin": ORIGIN}, transports=["polling"],
                            wait_timeout=10)  # fmt: skip

    def _reply(self, data) -> None:
        self.replies.append(data)
        self._got.set()

    def _confirm(self, session) -> None:
        self.session = session
        self._confirmed.set()

    def start(self, session: str | None = None) -> str:
        self._confirmed.clear()
        self.client.emit("session_request", {"session_id": session})
        assert self._confirmed.wait(10)
        return self.session

    def send(self, text: str, session: str | None = None, wait: float = 30) -> list[dict]:
        self.replies = []
        self._got.clear()
        self.client.emit("user_uttered", {"message": text, "session_id": session or self.session})
        if not self._got.wait(wait):
            return []
        while True:
            self._got.clear()
            if not self._got.wait(1.0):
                return list(self.replies)

    def close(self) -> None:
        self.client.disconnect()


def agent_login(stack, headers: dict | None = None, client=None) -> requests.Session:
    client = client or requests.Session()
    reply = client.post(f"{stack.url}{AGENT}/login", data={"agent": "Ann", "token": AGENT_TOKEN},
                        headers=headers or {}, allow_redirects=False, timeout=10)  # fmt: skip
    assert reply.status_code == 303, reply.text
    return client


def conversations(stack) -> set[str]:
    return {sender for sender, _, _ in tracker_rows(stack)}


# 1. Any conversation could be read, driven and erased by whoever knew its id -----------------
def test_1_rest_cannot_reach_a_texters_conversation_by_their_number(attack_stack):
    phone = f"+1415555{next(_phones):04d}"
    before = conversations(attack_stack)
    assert "who is this for" in texted(attack_stack, phone, "could ivig help me").lower()
    texted(attack_stack, phone, "1")
    texted(attack_stack, phone, "dermatomyositis")
    (texter,) = conversations(attack_stack) - before
    assert phone[2:] not in texter  # the number is not the id
    rows = len(tracker_rows(attack_stack, texter))
    for sender in (phone, f"whatsapp:{phone}", phone[1:], texter, texter.upper(), f" {texter}"):
        reply = rest(attack_stack, {"sender": sender, "message": "Change an answer"})
        assert reply.status_code == 400, sender
        assert "dermatomyositis" not in reply.text.lower()
    assert len(tracker_rows(attack_stack, texter)) == rows
    assert rest(attack_stack, {"sender": texter, "message": "hi"}).status_code == 400


def test_1_an_sms_lead_names_its_conversation_without_the_number(attack_stack):
    phone = f"+1415555{next(_phones):04d}"
    texted(attack_stack, phone, "can someone call me")
    texted(attack_stack, phone, "1")  # yes, that's okay
    texted(attack_stack, phone, "Grace Hopper")
    assert f"ending in {phone[-4:]}" in texted(attack_stack, phone, "1")  # phone call
    texted(attack_stack, phone, "yes")
    done = texted(attack_stack, phone, "morning")
    reference = done.split("Your reference is ")[1].split(".")[0]
    (row,) = [r for r in leads_rows(attack_stack) if r[1] == reference]
    assert phone[2:] not in row[2] and row[2].startswith("sms-")
    assert attack_stack.receiver.wait_for(len(attack_stack.receiver.distinct() | {reference}))
    (lead,) = [p for p in attack_stack.receiver.accepted if p["reference"] == reference]
    assert lead["contact"]["phone"] == phone  # the number still reaches the specialist


def test_1_a_second_widget_cannot_join_or_drive_another_visitors_conversation(attack_stack):
    victim = Widget(attack_stack)
    token = victim.start()
    before = conversations(attack_stack)
    assert victim.send("could ivig help me")
    (conversation,) = conversations(attack_stack) - before
    attacker = Widget(attack_stack)
    try:
        for known in (conversation, "0123456789abcdef0123456789abcdef"):
            # An id seen in the store, a log or a lead, or one made up: never confirmed.
            assert attacker.start(known) != known
        rows = len(tracker_rows(attack_stack, conversation))
        attacker.send("it's for me", session=conversation)  # the victim's id in the message
        assert len(tracker_rows(attack_stack, conversation)) == rows
        attacker.replies = []
        assert victim.send("for me")
        assert attacker.replies == []  # the victim's replies reach the victim only
    finally:
        attacker.close()
    victim.close()
    reloaded = Widget(attack_stack)  # the visitor reloads the page: same session, same chat
    assert reloaded.start(token) == token
    assert reloaded.send("dermatomyositis")
    assert len(tracker_rows(attack_stack, conversation)) > rows
    reloaded.close()


# 2. The action server ran anything for anyone -------------------------------------------------
def test_2_the_action_server_will_not_start_without_a_token():
    env = {**os.environ, "ACTION_SERVER_HOST": "127.0.0.1", "ACTION_SERVER_TOKEN": "",
           "ACTION_SERVER_PORT": str(free_port())}  # fmt: skip
    try:
        result = subprocess.run([sys.executable, "-m", "bot.action_server"], cwd=PROJECT_ROOT,
                                env=env, capture_output=True, text=True, timeout=90)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("the action server started without a token")
    assert result.returncode == 2 and "ACTION_SERVER_TOKEN" in result.stderr


def made_up_call(action: str, slots: dict) -> dict:
    return {
        "next_action": action, "sender_id": "made-up", "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": "made-up", "slots": slots, "latest_message": {}, "events": [],
                    "latest_input_channel": "rest", "active_loop": {}, "paused": False},
    }  # fmt: skip


def test_2_a_text_plain_post_to_the_action_server_is_refused(attack_stack):
    before = leads_rows(attack_stack)
    slots = {"contact_name": "Mallory", "contact_method": "email",
             "contact_email": "m@example.com", "contact_time": "morning"}  # fmt: skip
    reply = requests.post(
        f"{attack_stack.action_url}/webhook", params={"action_token": attack_stack.action_token},
        data=json.dumps(made_up_call("action_create_lead", slots)),
        headers={"Content-Type": "text/plain"}, timeout=30,
    )  # fmt: skip
    assert reply.status_code == 415
    assert leads_rows(attack_stack) == before


def test_2_actions_read_slot_values_again_before_storing_them(attack_stack):
    before = leads_rows(attack_stack)
    slots = {"contact_name": '=HYPERLINK("http://evil.test","x")', "contact_method": "call",
             "contact_phone": "call me maybe", "contact_time": "morning"}  # fmt: skip
    reply = requests.post(
        f"{attack_stack.action_url}/webhook", params={"action_token": attack_stack.action_token},
        json=made_up_call("action_create_lead", slots), timeout=30,
    )  # fmt: skip
    assert reply.status_code == 200
    assert leads_rows(attack_stack) == before


# 3. Unbounded metadata -----------------------------------------------------------------------
def test_3_a_large_request_is_refused_and_stores_nothing(attack_stack, fresh):
    body = {"sender": fresh, "message": "hi", "metadata": {"locale": "x" * 200_000}}
    assert rest(attack_stack, body).status_code == 413
    assert tracker_rows(attack_stack, fresh) == []
    huge_sms = requests.post(f"{attack_stack.url}/webhooks/twilio/webhook", timeout=30,
                             data={"From": "+14155550100", "Body": "x" * 200_000})  # fmt: skip
    assert huge_sms.status_code == 413


def test_3_only_known_metadata_is_kept(attack_stack, fresh):
    metadata = {"locale": "en-US", "tracking": "x" * 5000, "deep": {"a": [1, 2]}}
    body = {"sender": fresh, "message": "what is ivig", "metadata": metadata}
    assert rest(attack_stack, body).status_code == 200
    stored = " ".join(data for _, _, data in tracker_rows(attack_stack, fresh))
    assert "en-US" in stored and "tracking" not in stored and "xxxxx" not in stored


# 5. Cross-site requests into a signed-in agent's console -------------------------------------
def test_5_the_console_refuses_simple_and_cross_origin_posts(attack_stack):
    agent = agent_login(attack_stack)
    call = agent.post(f"{attack_stack.url}{AGENT}/calls", timeout=10).json()["call"]
    body = json.dumps({"call": call, "message": "/greet"})
    simple = agent.post(f"{attack_stack.url}{AGENT}/webhook", data=body,
                        headers={"Content-Type": "text/plain; x=json"}, timeout=10)  # fmt: skip
    assert simple.status_code == 415
    other_port = agent.post(f"{attack_stack.url}{AGENT}/webhook", data=body, timeout=10,
                            headers={"Content-Type": "application/json",
                                     "Origin": "http://127.0.0.1:8081"})  # fmt: skip
    assert other_port.status_code == 403
    same_site = agent.post(f"{attack_stack.url}{AGENT}/webhook", data=body, timeout=10,
                           headers={"Content-Type": "application/json", "Origin": "null",
                                    "Sec-Fetch-Site": "same-site"})  # fmt: skip
    assert same_site.status_code == 403
    own = agent.post(f"{attack_stack.url}{AGENT}/webhook", data=body, timeout=30,
                     headers={"Content-Type": "application/json",
                              "Origin": attack_stack.url})  # fmt: skip
    assert own.status_code == 200


def test_5_call_ids_belong_to_the_session_that_was_given_them(attack_stack):
    first, second = agent_login(attack_stack), agent_login(attack_stack)
    call = first.post(f"{attack_stack.url}{AGENT}/calls", timeout=10).json()["call"]
    assert first.post(f"{attack_stack.url}{AGENT}/webhook", json={"call": call,
                      "message": "/greet"}, timeout=30).status_code == 200  # fmt: skip
    for chosen in (call, "a" * 64, "0" * 32):
        reply = second.post(f"{attack_stack.url}{AGENT}/webhook",
                            json={"call": chosen, "message": "/greet"}, timeout=30)  # fmt: skip
        assert reply.status_code in (400, 404), chosen
        assert second.get(f"{attack_stack.url}{AGENT}/calls/{chosen}/panel",
                          timeout=10).status_code in (400, 404)  # fmt: skip


# 6. Erasure left personal health data behind -------------------------------------------------
def test_6_erasure_removes_everything_told_and_says_exactly_what_it_did(attack_stack, fresh):
    chat = Chat(attack_stack, fresh)
    chat.say("could ivig help me")
    summary = chat.run(*HAPPY)
    assert "dermatomyositis" in summary.lower()  # the bot echoes the answers back
    chat.say("looks right")
    chat.say("/request_human")
    chat.say("yes")
    chat.say("Zelda Quimby")
    chat.say("call")
    chat.say("415-555-0199")
    done = chat.say("morning")
    reference = done.split("Your reference is ")[1].split(".")[0]
    chat.say("delete my information")
    reply = chat.say("yes")
    assert reference in reply and "messages" in reply and "answers" in reply
    stored = " ".join(data for _, _, data in tracker_rows(attack_stack, fresh)).lower()
    for told in ("dermatomyositis", "165 lbs", "blue cross", "zelda", "4155550199", "555-0199",
                 "here is what you told me", "prednisone"):  # fmt: skip
        assert told not in stored, told
    raw = b"".join(p.read_bytes() for p in attack_stack.workdir.glob("tracker.db*"))
    assert b"Zelda" not in raw and b"Blue Cross" not in raw
    slots = attack_stack.tracker(fresh)["slots"]
    assert slots.get("diagnosis") is None and slots.get("weight_kg") is None
    assert reference not in [r[1] for r in leads_rows(attack_stack)]
    assert "Source:" in chat.say("what is ivig")  # the conversation goes on


def test_6_once_the_lead_holds_the_contact_details_the_tracker_keeps_no_plain_copy(
    attack_stack, fresh
):
    chat = Chat(attack_stack, fresh)
    chat.say("can someone call me")
    chat.say("yes")
    chat.say("Wilhelmina Zumwalt")
    chat.say("email")
    chat.say("wz@example.org")
    assert "Your reference is" in chat.say("morning")
    stored = " ".join(data for _, _, data in tracker_rows(attack_stack, fresh))
    assert "Wilhelmina" not in stored and "wz@example.org" not in stored


# 7. Abuse limits keyed on what the attacker controls -----------------------------------------
def test_7_a_flood_of_new_senders_from_one_address_is_refused_before_it_is_stored(attack_stack):
    outside = {"X-Forwarded-For": "203.0.113.50"}
    senders = [f"flood-{i}" for i in range(PER_ADDRESS + 6)]
    codes = [rest(attack_stack, {"sender": s, "message": "hi"}, headers=outside).status_code
             for s in senders]  # fmt: skip
    assert codes.count(200) == PER_ADDRESS and codes[PER_ADDRESS:] == [429] * 6
    refused = rest(attack_stack, {"sender": "flood-x", "message": "hi"}, headers=outside)
    assert "faster than I can read them" in refused.json()[0]["text"]
    assert all(tracker_rows(attack_stack, s) == [] for s in senders[PER_ADDRESS:])
    elsewhere = {"X-Forwarded-For": "198.51.100.20"}
    assert rest(attack_stack, {"sender": "neighbour", "message": "hi"},
                headers=elsewhere).status_code == 200  # fmt: skip


def test_7_guessing_from_one_address_does_not_lock_out_an_agent_known_to_the_console(attack_stack):
    office = {"X-Forwarded-For": "198.51.100.77"}
    agent = agent_login(attack_stack, headers=office)  # signed in before: a known device
    agent.post(f"{attack_stack.url}{AGENT}/logout", headers=office, allow_redirects=False,
               timeout=10)  # fmt: skip
    codes = [requests.post(f"{attack_stack.url}{AGENT}/login", headers=office,
                           data={"agent": "x", "token": f"guess-{i}"}, allow_redirects=False,
                           timeout=10).status_code for i in range(5)]  # fmt: skip
    assert codes[-1] == 429  # the guesser is slowed down
    agent_login(attack_stack, headers=office, client=agent)  # the agent is not locked out


# 8. Replays and sessions ----------------------------------------------------------------------
def test_8_a_replayed_signed_twilio_request_is_not_answered_again(attack_stack):
    phone = f"+1415555{next(_phones):04d}"
    sid = f"SM{'f' * 30}{next(_sids):02d}"
    assert texted(attack_stack, phone, "what is ivig", sid=sid)
    assert texted(attack_stack, phone, "what is ivig", sid=sid) == ""


def test_8_logging_out_revokes_the_session(attack_stack):
    agent = agent_login(attack_stack)
    session = agent.cookies.get("ivig_agent_session")
    agent.post(f"{attack_stack.url}{AGENT}/logout", allow_redirects=False, timeout=10)
    stolen = requests.post(f"{attack_stack.url}{AGENT}/calls", timeout=10,
                           headers={"Authorization": f"Bearer {session}"})  # fmt: skip
    assert stolen.status_code == 401


# 9. Rough edges ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body", [b"[" * 30_000 + b"]" * 30_000, b"not json", b"[1, 2]", b'{"message": "hi"}',
             b'{"sender": "", "message": "hi"}', b'{"sender": {"a": 1}, "message": "hi"}'],
    ids=["deep", "not json", "not an object", "no sender", "empty sender", "object sender"],
)  # fmt: skip
def test_9_malformed_bodies_get_400_and_nobody_shares_a_default_conversation(attack_stack, body):
    assert rest(attack_stack, body).status_code == 400
    assert tracker_rows(attack_stack, "default") == []


def test_9_an_unterminated_tag_is_not_stored(attack_stack, fresh):
    rest(attack_stack, {"sender": fresh, "message": "what is ivig <svg/onload=alert(1)"})
    stored = " ".join(data for _, kind, data in tracker_rows(attack_stack, fresh) if kind == "user")
    assert "onload" not in stored and "<svg" not in stored


def test_9_the_content_security_policy_ignores_the_host_header(attack_stack):
    page = requests.get(f"{attack_stack.url}/webhooks/chat/", timeout=10,
                        headers={"Host": "evil.example"})  # fmt: skip
    assert "evil.example" not in page.headers["Content-Security-Policy"]

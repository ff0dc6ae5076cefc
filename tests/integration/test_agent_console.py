"""The agent-assist console: no access without a login; with one, a script and a side panel,
built for a live call: the script survives a reload, the panel stays in view, a running call is
never discarded unasked, topics and options take one click or one key, figures copy in one
click, and an emergency shows the center's own numbers. axe-core finds nothing on any of it."""

from __future__ import annotations

import os
import re
import sqlite3
import time
import uuid
from dataclasses import replace
from pathlib import Path

import jwt
import pytest
import requests
from playwright.sync_api import Page, expect

from bot.rasa_server import agent_auth as auth
from bot.rasa_server.channels.pages import WEB_DIR
from tests.browser import screenshot_path
from tests.integration.conftest import AGENT_TOKEN, LOGIN_WINDOW
from tests.integration.servers import free_port, wait_until

PREFIX = "/webhooks/agent"
PROTECTED = [
    ("GET", "/"),
    ("GET", ""),
    ("GET", "/agent.js"),
    ("GET", "/agent.css"),
    ("POST", "/calls"),
    ("GET", f"/calls/{'a' * 32}/panel"),
    ("POST", "/webhook"),
    ("GET", f"/calls/{'a' * 64}/script"),
    ("GET", "/console"),
    ("GET", "/topics?q=dose"),
    ("POST", "/notes"),
]


def session(stack, agent: str = "Ann") -> requests.Session:
    client = requests.Session()
    reply = client.post(
        f"{stack.url}{PREFIX}/login", data={"agent": agent, "token": AGENT_TOKEN},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert reply.status_code == 303
    return client


class Call:
    """One caller's conversation, driven the way the console's script does."""

    def __init__(self, stack, client: requests.Session) -> None:
        self.stack, self.client = stack, client
        self.id = client.post(f"{stack.url}{PREFIX}/calls", timeout=10).json()["call"]
        self.panel: dict = {}

    def say(self, message: str) -> list[dict]:
        reply = self.client.post(
            f"{self.stack.url}{PREFIX}/webhook", json={"call": self.id, "message": message},
            timeout=30,
        )  # fmt: skip
        reply.raise_for_status()
        self.panel = reply.json()["panel"]
        return reply.json()["messages"]

    def text(self, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(message))

    def save_notes(self, notes: object, wrap_up: object) -> str:
        reply = self.client.post(
            f"{self.stack.url}{PREFIX}/notes",
            json={"call": self.id, "notes": notes, "wrap_up": wrap_up}, timeout=30,
        )  # fmt: skip
        reply.raise_for_status()
        self.panel = reply.json()["panel"]
        return "\n".join(m.get("text", "") for m in reply.json()["messages"])

    def hand_off(self) -> str:
        """A referral for this call, by the console's handoff button; its reference."""
        self.say("/request_human")
        for answer in ["yes", "Pat Doe", "call", "415-555-0142", "morning"]:
            self.say(answer)
        return self.panel["referral"]["reference"]


@pytest.mark.parametrize("method,path", PROTECTED)
def test_every_agent_route_refuses_without_a_login(stack, method, path):
    reply = requests.request(
        method, f"{stack.url}{PREFIX}{path}", json={"call": "a" * 32, "message": "hi"},
        headers={"Accept": "application/json"}, allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert reply.status_code == 401
    assert "Tell the caller" not in reply.text and "function" not in reply.text


def test_the_console_page_sends_a_browser_to_the_login_page(stack):
    reply = requests.get(f"{stack.url}{PREFIX}/", allow_redirects=False, timeout=10)
    assert reply.status_code == 303 and reply.headers["Location"].endswith(f"{PREFIX}/login")
    assert "Sign in" in requests.get(f"{stack.url}{PREFIX}/login", timeout=10).text


def forged(secret: str, **claims) -> str:
    base = {"sub": "Mallory", "aud": auth.AUDIENCE, "exp": int(time.time()) + 600}
    return jwt.encode({**base, **claims}, secret, algorithm="HS256")


@pytest.mark.parametrize(
    "token",
    [
        forged("not-the-secret-of-this-console-at-all"),
        forged(auth.derived_secret(AGENT_TOKEN), exp=int(time.time()) - 60),
        forged(auth.derived_secret(AGENT_TOKEN), aud="someone-else"),
        "not-a-jwt",
    ],
    ids=["wrong key", "expired", "wrong audience", "garbage"],
)
def test_forged_expired_or_foreign_sessions_are_refused(stack, token):
    reply = requests.post(
        f"{stack.url}{PREFIX}/calls", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert reply.status_code == 401


def test_a_wrong_access_token_is_refused_and_repeated_guesses_lock_the_client_out(stack):
    codes = [
        requests.post(
            f"{stack.url}{PREFIX}/login", data={"agent": "x", "token": f"guess-{i}"},
            allow_redirects=False, timeout=10,
        ).status_code
        for i in range(7)
    ]  # fmt: skip
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    locked = requests.post(
        f"{stack.url}{PREFIX}/login", data={"agent": "x", "token": AGENT_TOKEN},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert locked.status_code == 429 and "Set-Cookie" not in locked.headers
    time.sleep(LOGIN_WINDOW + 0.2)  # the lockout lifts after its window
    session(stack)


def test_the_session_cookie_is_http_only_and_same_site_strict(stack):
    reply = requests.post(
        f"{stack.url}{PREFIX}/login", data={"agent": "Ann", "token": AGENT_TOKEN},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    cookie = reply.headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and f"path={PREFIX}" in cookie


def test_replies_are_a_script_for_the_agent(stack):
    call = Call(stack, session(stack))
    assert call.text("/greet").startswith("Tell the caller: Thanks for calling")
    answer = call.text("what is the usual dose of ivig")
    assert answer.startswith("Tell the caller: ") and "2 g of IVIG per kg" in answer
    question = call.say("could ivig help me")[-1]
    assert question["text"].startswith("Ask the caller: Is this for you")
    assert [b["title"] for b in question["buttons"]] == ["For me", "For someone I care for"]
    assert call.text("for me").startswith("Ask the caller: What type of myositis")


def test_the_side_panel_follows_the_screening_flags_and_handoff(stack, receiver):
    call = Call(stack, session(stack))
    call.say("could ivig help me")
    for answer in ["for me", "dermatomyositis", "both", "did not help enough", "no",
                   "tested, it was normal", "no", "70 kg"]:  # fmt: skip
        call.say(answer)
    assert {"question": "Weight", "answer": "70 kg (154 lb)"} in call.panel["answers"]
    assert call.panel["in_screening"] and call.panel["outcome"] is None
    emergency = call.say("my throat is closing up and I can't breathe")
    assert emergency[0]["text"].startswith("Tell the caller now: This may be a medical emergency")
    assert call.panel["safety_flags"][0]["kind"] == "emergency"
    resume = [b for m in emergency for b in m.get("buttons", []) if "Continue" in b["title"]]
    assert "Ask the caller: What kind of health insurance" in call.text(resume[0]["payload"])
    for answer in ["medicare", "Oregon", "yes, a neurologist"]:
        call.say(answer)
    outcome = call.text("yes")
    assert "A good fit for a specialist review" in outcome
    titles = [o["title"] for o in call.panel["outcome"]["outcomes"]]
    assert "A good fit for a specialist review" in titles
    assert call.panel["outcome"]["outcomes"][0]["reasons"]
    consent = call.text("/request_human")
    assert consent.startswith("Read this to the caller word for word")
    for answer in ["yes", "Pat Doe", "call", "415-555-0142", "morning"]:
        done = call.text(answer)
    assert "Your reference is" in done
    reference = call.panel["referral"]["reference"]
    assert reference in done
    assert receiver.wait_for(len(receiver.distinct() | {reference}))
    posted = [p for p in receiver.accepted if p["reference"] == reference]
    assert len(posted) == 1 and posted[0]["channel"] == "agent_assist"


NOTES = "Caller's neurologist is Dr. Rivera; prefers mornings.\nAsked about copay help."


def test_call_notes_and_a_wrap_up_are_stored_with_the_referral_and_sent_to_the_team(
    stack, receiver
):
    call = Call(stack, session(stack))
    call.say("/greet")
    assert "no referral for this call" in call.save_notes(NOTES, "referred")
    reference = call.hand_off()
    saved = call.save_notes(NOTES, "call_back")
    assert saved.startswith("The assistant saved your notes and wrap-up")
    assert reference in saved and "Caller asked for a call back" in saved
    assert call.panel["referral"]["wrap_up"] == "Caller asked for a call back"

    def notes_sent(accepted: list[dict]) -> list[dict]:
        return [
            p for p in accepted if p.get("event") == "call_notes" and p["reference"] == reference
        ]

    assert receiver.wait_until(lambda accepted: len(notes_sent(accepted)) == 1)
    (sent,) = notes_sent(receiver.accepted)
    assert sent["call_notes"] == NOTES and sent["wrap_up"] == "call_back"
    assert "Call notes:\n  Caller's neurologist is Dr. Rivera" in sent["summary"]
    assert any(d.startswith(f"{reference}-notes-") for d in receiver.deliveries)
    # Saved again, they replace the first ones and go out again, as their own delivery.
    call.save_notes("Spoke again: no change.", "info_only")
    assert receiver.wait_until(lambda accepted: len(notes_sent(accepted)) == 2)
    assert notes_sent(receiver.accepted)[1]["call_notes"] == "Spoke again: no change."
    # The notes live in the lead, encrypted; the conversation's rows no longer hold them.
    rows = sqlite3.connect(stack.tracker_db).execute("SELECT data FROM events").fetchall()
    assert not any("Dr. Rivera" in data or "Spoke again" in data for (data,) in rows)
    leads = (
        sqlite3.connect(stack.workdir / "leads.db")
        .execute("SELECT call_notes_enc, wrap_up FROM leads WHERE reference = ?", (reference,))
        .fetchall()
    )
    assert leads[0][1] == "info_only" and "Spoke again" not in leads[0][0]


@pytest.mark.parametrize("notes,wrap_up", [
    ("fine", "made_up"),  # a wrap-up the list does not have
    ("x" * 2001, "referred"),  # longer than the notes may be
    (["not", "text"], "referred"),
    ("fine", None),
])  # fmt: skip
def test_call_notes_that_cannot_be_stored_as_they_are_are_refused_and_nothing_changes(
    stack, notes, wrap_up
):
    call = Call(stack, session(stack))
    call.hand_off()
    reply = call.save_notes(notes, wrap_up)
    assert "could not save those notes" in reply
    assert call.panel["referral"]["wrap_up"] is None


def test_only_the_agent_channel_can_store_call_notes(stack, sender):
    """A visitor who types the console's payload, with notes in the message's metadata, is
    simply not understood, and no referral changes."""
    before = (
        sqlite3.connect(stack.workdir / "leads.db")
        .execute("SELECT COUNT(*) FROM leads WHERE wrap_up IS NOT NULL")
        .fetchone()[0]
    )
    reply = requests.post(
        f"{stack.url}/webhooks/rest/webhook", timeout=30,
        json={"sender": sender, "message": "/save_call_notes",
              "metadata": {"call_notes": {"notes": "x", "wrap_up": "referred"}}},
    )  # fmt: skip
    assert reply.ok and "saved" not in reply.text
    after = (
        sqlite3.connect(stack.workdir / "leads.db")
        .execute("SELECT COUNT(*) FROM leads WHERE wrap_up IS NOT NULL")
        .fetchone()[0]
    )
    assert after == before


def test_a_call_id_cannot_reach_another_channels_conversation(stack, sender):
    stack.send(sender, "could ivig help me")
    client = session(stack)
    for call in (sender, f"../{sender}", uuid.uuid4().hex.upper()):
        reply = client.post(
            f"{stack.url}{PREFIX}/webhook", json={"call": call, "message": "for me"}, timeout=10
        )
        assert reply.status_code == 400
        assert client.get(f"{stack.url}{PREFIX}/calls/{call}/panel", timeout=10).status_code in (
            400, 404,
        )  # fmt: skip


# ------------------------------------------------------------------ in the browser
@pytest.fixture
def console(browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def script_lines(page: Page):
    return page.locator(".line--bot")


def send(page: Page, text: str) -> None:
    before = script_lines(page).count()
    page.get_by_label("What the caller said").fill(text)
    page.get_by_label("What the caller said").press("Enter")
    expect(script_lines(page)).not_to_have_count(before, timeout=30_000)
    expect(page.get_by_role("status")).to_have_text("", timeout=30_000)


def pick(page: Page, title: str) -> None:
    before = script_lines(page).count()
    page.locator(".line--bot").last.get_by_role("button", name=title, exact=True).click()
    expect(script_lines(page)).not_to_have_count(before, timeout=30_000)
    expect(page.get_by_role("status")).to_have_text("", timeout=30_000)


def test_in_the_browser_the_console_needs_a_login_then_shows_script_and_panel(console, stack):
    page = console
    page.goto(f"{stack.url}{PREFIX}/")
    expect(page).to_have_url(f"{stack.url}{PREFIX}/login")
    page.get_by_label("Your name").fill("Ann")
    page.get_by_label("Access token").fill("wrong-token-wrong-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    page.get_by_label("Access token").fill(AGENT_TOKEN)
    page.get_by_label("Your name").fill("Ann")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{stack.url}{PREFIX}/")
    page.get_by_role("button", name="New call").click()
    expect(script_lines(page).first).to_contain_text("Tell the caller: Thanks for calling")
    send(page, "could ivig help me")
    expect(script_lines(page).last).to_contain_text("Ask the caller: Is this for you")
    pick(page, "For me")
    pick(page, "Dermatomyositis")
    send(page, "I have chest pain right now")
    expect(page.locator("#flags .flag")).to_contain_text("Possible medical emergency")
    expect(page.locator("#answers")).to_contain_text("dermatomyositis")
    page.screenshot(path=str(screenshot_path("agent-console.png")))
    before = script_lines(page).count()
    page.get_by_role("button", name="Create specialist handoff").click()
    expect(script_lines(page)).not_to_have_count(before, timeout=30_000)
    expect(script_lines(page).last).to_contain_text("Read this to the caller word for word")


def test_a_calls_script_is_served_only_to_the_session_it_belongs_to(stack):
    ann = session(stack)
    call = Call(stack, ann)
    call.say("/greet")
    call.say("could ivig help me")
    url = f"{stack.url}{PREFIX}/calls/{call.id}/script"
    lines = ann.get(url, timeout=10).json()["lines"]
    assert [line["kind"] for line in lines] == ["caller", "bot", "caller", "bot"]
    assert lines[2]["text"] == "could ivig help me"
    assert lines[3]["text"].startswith("Ask the caller: Is this for you")
    assert [b["title"] for b in lines[3]["buttons"]] == ["For me", "For someone I care for"]
    assert session(stack, "Bob").get(url, timeout=10).status_code == 404


# ------------------------------------------------------------------ a live call, in the browser
EMERGENCY_NUMBER, TRANSFER_NUMBER = "(555) 010-0911", "(555) 010-0922"


@pytest.fixture(scope="module")
def console_server(stack):
    """A Rasa server of its own (same model, action server and stores) with the center's
    emergency and transfer numbers configured."""
    server = replace(stack, rasa_port=free_port(), processes=[], extra_env={
        **stack.extra_env, "AGENT_EMERGENCY_NUMBER": EMERGENCY_NUMBER,
        "AGENT_TRANSFER_NUMBER": TRANSFER_NUMBER})  # fmt: skip
    server.model = stack.model
    process, log = server._spawn_rasa(f"rasa-{server.rasa_port}", server.rasa_port)
    wait_until(lambda: server.send("readiness-probe", "hi") is not None, 240, process, log)
    yield server
    server.stop()


def signed_in(browser, server, width: int = 1280, height: int = 900) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height},
                                  permissions=["clipboard-read", "clipboard-write"])  # fmt: skip
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server.url}{PREFIX}/login")
    page.get_by_label("Your name").fill("Ann")
    page.get_by_label("Access token").fill(AGENT_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}{PREFIX}/")
    return page, problems


@pytest.fixture
def agent(browser, console_server):
    page, problems = signed_in(browser, console_server)
    yield page
    page.context.close()
    assert not problems, problems


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page (the web folder's npm package, or AXE_CORE_JS)."""
    found = [Path(os.environ["AXE_CORE_JS"])] if os.environ.get("AXE_CORE_JS") else []
    found.append(WEB_DIR / "node_modules" / "axe-core" / "axe.min.js")
    source = next((p for p in found if p.exists()), None)
    if source is None:
        pytest.fail("axe-core is not installed: run `make install` (or set AXE_CORE_JS)")
    page.evaluate(source.read_text(encoding="utf-8") + "\n;0")  # bypasses the page's CSP
    results = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results]


def new_call(page: Page) -> None:
    page.get_by_role("button", name="New call").click()
    expect(script_lines(page).first).to_contain_text("Thanks for calling", timeout=30_000)
    expect(page.get_by_role("status")).to_have_text("", timeout=30_000)


def script_texts(page: Page) -> list[str]:
    return page.locator("#script .line__text").all_inner_texts()


def options(page: Page):
    """The option buttons of the whole script, open or closed."""
    return page.locator("#script .options button")


def clipboard(page: Page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def screen_to_medicines(page: Page) -> None:
    send(page, "could ivig help me")
    pick(page, "For me")
    pick(page, "Dermatomyositis")
    expect(script_lines(page).last).to_contain_text("Have you tried steroids")


def test_a_reload_mid_call_keeps_the_script_and_the_pending_question_with_its_options(agent):
    new_call(agent)
    screen_to_medicines(agent)
    shown = script_texts(agent)
    assert len(shown) >= 8
    agent.reload()
    expect(agent.locator("#script .line__text")).to_have_count(len(shown), timeout=30_000)
    assert script_texts(agent) == shown
    pending = script_lines(agent).last
    expect(pending.get_by_role("button", name="Both", exact=True)).to_be_enabled()
    expect(agent.get_by_role("button", name="For me", exact=True)).to_be_disabled()
    expect(agent.locator("#answers")).to_contain_text("dermatomyositis")
    expect(agent.get_by_label("What the caller said")).to_be_enabled()
    assert axe_violations(agent) == []
    pick(agent, "Both")
    expect(script_lines(agent).last).to_contain_text("How did those medicines go?")


def test_the_outcome_and_the_handoff_button_stay_in_view_however_far_the_page_scrolls(
    browser, console_server
):
    page, problems = signed_in(browser, console_server, 1280, 640)
    new_call(page)
    screen_to_medicines(page)
    for answer in ["both", "did not help enough", "no", "tested, it was normal", "no", "70 kg"]:
        send(page, answer)
    expect(page.locator("#answers")).to_contain_text("70 kg")
    for where in ("0", "document.documentElement.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {where})")
        expect(page.locator("#outcome")).to_be_in_viewport()
        expect(page.get_by_role("button", name="Create specialist handoff")).to_be_in_viewport(
            ratio=1
        )
    assert page.evaluate("document.documentElement.scrollHeight > innerHeight")
    page.context.close()
    assert not problems, problems


def test_at_360_pixels_wide_send_is_whole_and_nothing_scrolls_sideways(browser, console_server):
    page, problems = signed_in(browser, console_server, 360, 740)
    new_call(page)
    send(page, "could ivig help me")
    button = page.get_by_role("button", name="Send", exact=True)
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport(ratio=1)
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("agent-console-360.png")), full_page=True)
    page.context.close()
    assert not problems, problems


def test_the_empty_answers_list_and_the_console_before_a_call_pass_axe(agent, console_server):
    expect(agent.locator("#answers-none")).to_have_text("None yet")
    expect(agent.locator("#answers")).to_be_hidden()
    assert axe_violations(agent) == []
    new_call(agent)
    assert axe_violations(agent) == []


def test_the_login_page_passes_axe_with_and_without_an_error(browser, console_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{console_server.url}{PREFIX}/login")
    assert axe_violations(page) == []
    page.get_by_label("Your name").fill("Ann")
    page.get_by_label("Access token").fill("wrong-token-wrong-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    assert axe_violations(page) == []
    context.close()


def test_new_call_asks_before_it_discards_a_running_call(agent):
    new_call(agent)
    send(agent, "what is ivig")
    shown = script_texts(agent)
    first = agent.locator("#call-label").inner_text()
    agent.get_by_role("button", name="New call").click()
    dialog = agent.get_by_role("dialog", name="End this call?")
    expect(dialog).to_be_visible()
    assert axe_violations(agent) == []
    dialog.get_by_role("button", name="Keep this call").click()
    expect(dialog).to_be_hidden()
    assert script_texts(agent) == shown and agent.locator("#call-label").inner_text() == first
    agent.get_by_role("button", name="New call").click()
    dialog.get_by_role("button", name="End it and start a new call").click()
    expect(agent.locator("#script .line__text")).to_have_count(2, timeout=30_000)
    expect(script_lines(agent).first).to_contain_text("Thanks for calling")
    assert agent.locator("#call-label").inner_text() != first


def test_quick_topics_and_the_topic_search_answer_in_one_click(agent):
    new_call(agent)
    before = script_lines(agent).count()
    agent.get_by_role("group", name="Quick topics").get_by_role("button", name="IVIG dose").click()
    expect(script_lines(agent)).to_have_count(before + 1, timeout=30_000)
    expect(script_lines(agent).last).to_contain_text("2 g of IVIG per kg")
    expect(agent.locator(".line--caller").last).to_have_text("(agent: topic IVIG dose)")
    search = agent.get_by_label("Search topics")
    search.fill("how much will it cost")
    result = agent.locator("#topic-results").get_by_role("button", name="Cost and copay help")
    expect(result).to_be_visible()
    expect(agent.locator("#topic-count")).to_contain_text("found")
    result.click()
    expect(agent.locator(".line--caller").last).to_have_text("(agent: topic Cost and copay help)")
    expect(script_lines(agent).last).to_contain_text("copay", timeout=30_000)
    search.fill("zebra crossing")
    expect(agent.locator("#topic-count")).to_have_text("No topic matches. Try other words.")
    assert axe_violations(agent) == []


def test_keys_1_to_9_pick_the_numbered_option_unless_the_caller_box_has_the_focus(agent):
    new_call(agent)
    send(agent, "could ivig help me")
    pending = script_lines(agent).nth(script_lines(agent).count() - 1).locator(".options button")
    expect(pending.nth(0).locator(".key")).to_have_text("1")
    expect(pending.nth(1).locator(".key")).to_have_text("2")
    expect(pending.nth(0)).to_have_attribute("aria-keyshortcuts", "1")
    box = agent.get_by_label("What the caller said")
    expect(box).to_be_focused()
    box.press("2")  # typed into the box: what the caller said
    expect(box).to_have_value("2")
    box.fill("")
    box.press("Escape")
    expect(box).not_to_be_focused()
    before = script_lines(agent).count()
    agent.keyboard.press("1")
    expect(script_lines(agent)).to_have_count(before + 1, timeout=30_000)
    expect(agent.locator(".line--caller").last).to_have_text("For me")
    expect(script_lines(agent).last).to_contain_text("What type of myositis")
    expect(pending.nth(0)).to_be_disabled()
    assert pending.locator(".key").count() == 0  # closed options lose their numbers
    expect(script_lines(agent).last.locator(".key").first).to_have_text("1")


def test_copy_buttons_copy_the_dose_lines_and_a_summary_of_the_call(agent):
    new_call(agent)
    send(agent, "what is the usual dose of ivig")
    script_lines(agent).last.get_by_role("button", name="Copy dose lines").click()
    expect(agent.locator("#copied")).to_have_text("Dose lines copied.")
    assert clipboard(agent) == (
        "The article says IVIG often starts at 2 g of IVIG per kg of body weight, given over 2 "
        "to 5 days.\nThen 1 g per kg is often given once a month for several months."
    )
    screen_to_medicines(agent)
    agent.get_by_role("button", name="Copy summary").click()
    expect(agent.locator("#copied")).to_have_text("Summary copied.")
    copied = clipboard(agent)
    assert copied.startswith("IVIG call summary\nScreening answers:\n")
    asked = agent.locator("#answers dt").all_inner_texts()
    answered = agent.locator("#answers dd").all_inner_texts()
    assert len(asked) >= 2
    for question, answer in zip(asked, answered, strict=True):
        assert f"- {question}: {answer}" in copied
    assert "Outcome: screening in progress" in copied and "Specialist handoff: none" in copied


def hand_off(page: Page) -> str:
    before = script_lines(page).count()
    page.get_by_role("button", name="Create specialist handoff").click()
    expect(script_lines(page)).not_to_have_count(before, timeout=30_000)
    pick(page, "Yes, that's okay")
    send(page, "Pat Doe")
    pick(page, "Phone call")
    send(page, "415-555-0142")
    pick(page, "Morning")
    expect(page.locator("#referral")).to_contain_text("Created, reference L-")
    return page.locator("#referral").inner_text().rsplit(" ", 1)[1]


def test_after_a_handoff_the_panel_shows_the_callers_name_and_contact_in_this_tab_only(
    agent, console_server
):
    new_call(agent)
    reference = hand_off(agent)
    details = agent.locator("#caller-details")
    expect(details).to_contain_text("Pat Doe")
    expect(details).to_contain_text("415-555-0142")
    expect(details).to_contain_text("Kept in this tab for this call only.")
    agent.get_by_role("button", name="Copy reference").click()
    expect(agent.locator("#copied")).to_have_text("Reference copied.")
    assert clipboard(agent) == reference
    agent.reload()  # the same tab keeps them; the server no longer holds them
    expect(details).to_contain_text("Pat Doe", timeout=30_000)
    assert not any("Pat Doe" in t or "555-0142" in t for t in script_texts(agent))
    assert axe_violations(agent) == []
    other = agent.context.new_page()  # another tab: its own session storage, no call
    other.goto(f"{console_server.url}{PREFIX}/")
    expect(other.locator("#call-label")).to_have_text("No call")
    expect(other.locator("#caller-details")).to_be_hidden()
    other.close()
    agent.get_by_role("button", name="New call").click()
    agent.get_by_role("button", name="End it and start a new call").click()
    expect(agent.locator("#referral")).to_have_text("none", timeout=30_000)
    expect(details).to_be_hidden()
    assert agent.evaluate("sessionStorage.getItem('ivig-agent-caller')") is None
    log = console_server.workdir / f"rasa-{console_server.rasa_port}.log"
    assert "Pat Doe" not in log.read_text() and "555-0142" not in log.read_text()


def test_notes_and_a_wrap_up_are_saved_to_the_referral_and_a_reload_keeps_the_draft(agent):
    new_call(agent)
    save = agent.get_by_role("button", name="Save to referral")
    expect(save).to_be_disabled()
    expect(agent.locator("#notes-hint")).to_contain_text("create the specialist handoff first")
    reference = hand_off(agent)
    expect(save).to_be_enabled()
    notes = agent.get_by_label("Notes for the specialist")
    notes.fill("Prefers a call after 10 am. Asked about copay help.")
    save.click()
    expect(agent.locator("#notes-status")).to_have_text("Choose a wrap-up first.")
    agent.reload()  # the draft is kept in this tab until the call ends
    expect(notes).to_have_value("Prefers a call after 10 am. Asked about copay help.",
                                timeout=30_000)  # fmt: skip
    agent.get_by_label("Wrap-up").select_option(label="Caller asked for a call back")
    save.click()
    expect(script_lines(agent).last).to_contain_text(
        f"saved your notes and wrap-up (Caller asked for a call back) with referral {reference}",
        timeout=30_000,
    )
    expect(agent.locator("#notes-saved")).to_have_text(
        f"Saved with {reference}: Caller asked for a call back"
    )
    assert "(agent: saved call notes)" in script_texts(agent)
    assert not any("copay help" in t for t in script_texts(agent))
    agent.screenshot(path=str(screenshot_path("agent-console-call-notes.png")), full_page=True)
    assert axe_violations(agent) == []
    agent.reload()  # the script after a reload shows the save, never the notes
    expect(agent.locator("#notes-saved")).to_contain_text(reference, timeout=30_000)
    assert "(agent: saved call notes)" in script_texts(agent)
    agent.get_by_role("button", name="New call").click()
    agent.get_by_role("button", name="End it and start a new call").click()
    expect(agent.locator("#referral")).to_have_text("none", timeout=30_000)
    expect(notes).to_have_value("")
    assert agent.evaluate("sessionStorage.getItem('ivig-agent-notes')") is None


def test_a_call_timer_runs_from_the_start_of_the_call_and_keeps_running_after_a_reload(agent):
    timer = agent.get_by_role("timer", name="Call time")
    expect(timer).to_have_text("--:--")
    new_call(agent)
    expect(timer).to_have_text(re.compile(r"^00:0[2-9]$"), timeout=10_000)
    agent.reload()
    expect(timer).to_have_text(re.compile(r"^00:0[2-9]$"))  # not 00:00 again


def test_an_emergency_script_shows_the_centers_emergency_and_transfer_numbers(agent):
    new_call(agent)
    send(agent, "hello")
    expect(agent.get_by_role("note", name="Center numbers")).to_have_count(0)
    send(agent, "my throat is closing up and I can't breathe")
    alert = agent.locator(".line--bot").filter(has_text="This may be a medical emergency")
    numbers = alert.get_by_role("note", name="Center numbers")
    expect(numbers).to_contain_text(f"Emergency line: {EMERGENCY_NUMBER}")
    expect(numbers).to_contain_text(f"Transfer line: {TRANSFER_NUMBER}")
    emergency = numbers.get_by_role("link", name=EMERGENCY_NUMBER)
    expect(emergency).to_have_attribute("href", "tel:5550100911")
    assert axe_violations(agent) == []
    agent.reload()
    expect(numbers).to_contain_text(f"Emergency line: {EMERGENCY_NUMBER}", timeout=30_000)
    expect(agent.get_by_role("note", name="Center numbers")).to_have_count(1)
    agent.screenshot(path=str(screenshot_path("agent-console-emergency.png")))

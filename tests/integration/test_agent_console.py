"""The agent-assist console: no access without a login; with one, a script and a side panel."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests
from playwright.sync_api import Page, expect

from bot.rasa_server import agent_auth as auth
from tests.browser import screenshot_path
from tests.integration.conftest import AGENT_TOKEN, LOGIN_WINDOW

PREFIX = "/webhooks/agent"
PROTECTED = [
    ("GET", "/"),
    ("GET", ""),
    ("GET", "/agent.js"),
    ("GET", "/agent.css"),
    ("POST", "/calls"),
    ("GET", f"/calls/{'a' * 32}/panel"),
    ("POST", "/webhook"),
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
    assert {"question": "Weight", "answer": "70.0 kg (154 lb)"} in call.panel["answers"]
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

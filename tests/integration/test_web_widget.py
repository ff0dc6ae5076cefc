"""The web chat page in a real headless Chromium: ask, click, screen, reload, stay accessible.

The widget is embedded as the README says (one script tag) and drawn in an open shadow root:
Playwright's locators reach into it; page scripts go through `WIDGET` (the shadow root). On the
bot's own page it opens by itself; on another site it starts as its launcher button.
Accessibility is checked with axe-core: from the widget's npm packages (`axe-core`), or the
file that AXE_CORE_JS names. rasa-webchat 1.0.1 (a dev package) is checked against the same
socket.io channel from another site.
"""

from __future__ import annotations

import json
import os
import re
import threading
import urllib.request
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bot import PROJECT_ROOT
from bot.rasa_server.channels import webchat
from bot.rasa_server.channels.pages import WEB_DIR
from tests.browser import screenshot_path
from tests.integration.servers import Stack, free_port, wait_until

BOT = ".ivig-msg--bot"
WIDGET = "document.getElementById('ivig-chat').shadowRoot"
PHONE = "(555) 010-0199"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
CANNOT_CONNECT = "Can't connect to the chat right now."
SOURCE_NAME = "Source from the article IVIG and Myositis"  # the "Source" link's name
BRAND = "Example Pharmacy Care"
LOGO = "https://cdn.example-pharmacy.test/logo.png"
PRIVACY = "https://www.example-pharmacy.test/privacy"
ARTICLE = "https://www.example-pharmacy.test/ivig-and-myositis"
# A 1x1 PNG, the logo the tests' browser gets instead of going to the network.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c"
    "63e08e59fb1f00039e021488d2b2700000000049454e44ae426082"
)


def open_page(browser: Browser, url: str, **options) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport=options.pop("viewport", {"width": 900, "height": 900}))
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    if url:
        opened.goto(url)
    return opened, problems


@pytest.fixture
def page(browser, stack):
    opened, problems = open_page(browser, f"{stack.url}/webhooks/chat/")
    yield opened
    opened.context.close()
    assert not problems, problems


def bot_messages(page: Page):
    return page.locator(BOT)


def greeted(page: Page) -> None:
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)


def turn(page: Page, before: int) -> str:
    """The text of the bot's messages of this turn, once the typing indicator has gone."""
    expect(bot_messages(page)).not_to_have_count(before, timeout=30_000)
    expect(page.locator(".ivig-chat__typing")).to_have_text("", timeout=30_000)
    return "\n".join(bot_messages(page).all_inner_texts()[before:])


def launcher(page: Page):
    return page.get_by_role("button", name="Chat with us")


def session_token(page: Page) -> str | None:
    return page.evaluate("localStorage.getItem('ivig-chat-session')")


def source_text(page: Page) -> str:
    """The source line of the newest answer, as a screen reader gets it."""
    return " ".join((page.locator(f"{BOT} .ivig-source").last.text_content() or "").split())


def say(page: Page, text: str) -> str:
    before = bot_messages(page).count()
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    return turn(page, before)


def click(page: Page, title: str) -> str:
    before = bot_messages(page).count()
    page.locator(BOT).last.get_by_role("button", name=title, exact=True).click()
    return turn(page, before)


def sent_frames(page: Page) -> list[str]:
    """What the page sends over its WebSockets, from now on."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: frames.append(frame)))
    return frames


def uttered(frames: list[str]) -> list[dict]:
    return [json.loads(f[2:])[1] for f in frames if f.startswith('42["user_uttered"')]


def axe_violations(page: Page) -> list[str]:
    found = [Path(os.environ["AXE_CORE_JS"])] if os.environ.get("AXE_CORE_JS") else []
    found.append(WEB_DIR / "node_modules" / "axe-core" / "axe.min.js")
    source = next((p for p in found if p.exists()), None)
    if source is None:
        pytest.fail(
            "axe-core is not installed: add it to bot/rasa_server/channels/web/package.json "
            "and run `make install` (or point AXE_CORE_JS at axe.min.js)"
        )
    page.evaluate(source.read_text(encoding="utf-8") + "\n;0")  # bypasses the page's CSP
    results = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results]


def screen_to_medicines(page: Page) -> None:
    greeted(page)
    say(page, "could ivig help me")
    click(page, "For me")
    click(page, "Dermatomyositis")
    click(page, "Both")
    expect(bot_messages(page).last).to_contain_text("How did those medicines go?")


def test_the_page_greets_answers_a_question_with_its_source_and_buttons_work(page):
    greeted(page)
    answer = say(page, "what is the usual dose of ivig?")
    assert "2 g of IVIG per kg" in answer and source_text(page).startswith(SOURCE_NAME)
    assert "Here are its sources" in say(page, "where is that from?")
    link = page.locator(BOT).last.locator("a").first
    expect(link).to_have_attribute("href", re.compile(r"^https://"))
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    say(page, "what is the usual dose of ivig?")
    assert "who is this for?" in click(page, "Could IVIG help me?")
    page.screenshot(path=str(screenshot_path("widget-answer.png")))


def test_a_screening_finishes_by_clicks_and_typing_and_survives_a_reload(page):
    screen_to_medicines(page)
    page.reload()  # same conversation, same answers, transcript still shown
    expect(bot_messages(page).last).to_contain_text("How did those medicines go?", timeout=30_000)
    assert bot_messages(page).count() >= 4
    expect(page.get_by_label("Your message")).to_be_enabled(timeout=30_000)
    click(page, "Did not help enough")
    click(page, "No")
    click(page, "Tested, it was normal")
    click(page, "No")
    assert "work out the amount" in say(page, "150 lb")  # general rates, no personal amount
    click(page, "Medicare")
    say(page, "Oregon")
    assert "Here is what you told me" in click(page, "Yes, a neurologist")
    assert "A good fit for a specialist review" in say(page, "yes that's right")
    page.screenshot(path=str(screenshot_path("widget-screening.png")))


def test_markup_typed_by_the_user_is_shown_as_text_never_run(page):
    greeted(page)
    say(page, '<img src=x onerror="alert(1)"><b>what is ivig</b>')
    assert page.locator(".ivig-chat__log img, .ivig-chat__log b").count() == 0
    expect(page.locator(".ivig-msg--user").last).to_contain_text("<img src=x")


def test_the_typing_indicator_shows_while_the_bot_answers(page):
    greeted(page)
    page.evaluate(
        f"""() => {{ window.typingSeen = [];
        const typing = {WIDGET}.querySelector('.ivig-chat__typing');
        new MutationObserver(() => window.typingSeen.push(typing.textContent))
          .observe(typing, {{childList: true, characterData: true, subtree: true}}); }}"""
    )
    say(page, "what is myositis")
    assert "The assistant is typing…" in page.evaluate("window.typingSeen")
    expect(page.locator(".ivig-chat__typing")).to_have_text("", timeout=5_000)


def test_an_empty_message_gets_a_hint_and_nothing_is_sent(page):
    greeted(page)
    expect(page.get_by_label("Your message")).to_be_enabled()
    before = page.locator(".ivig-msg").count()
    page.get_by_label("Your message").press("Enter")
    expect(page.locator(".ivig-chat__typing")).to_have_text("Please type a question first.")
    assert page.locator(".ivig-msg").count() == before


def test_the_widget_works_by_keyboard_alone(page):
    greeted(page)
    page.keyboard.press("Tab")  # the skip link comes first, and lands in the message box
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your message")).to_be_focused()
    say(page, "could ivig help me")
    option = page.locator(BOT).last.get_by_role("button", name="For me")
    option.focus()
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    assert "type of myositis" in turn(page, before)
    outline = page.evaluate(
        f"""() => {{ const b = {WIDGET}.querySelector('.ivig-msg--bot:last-child button');
        b.focus(); const style = getComputedStyle(b);
        return style.outlineStyle + ' ' + style.outlineWidth; }}"""
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px")


def test_every_control_is_labelled_and_the_log_is_announced(page):
    greeted(page)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("textbox", name="Your message")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(1)


CONTRAST = """(selector) => {
  const lum = (c) => { const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number)
      .map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = (el) => { while (el) { const c = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; el = el.parentElement; }
    return 'rgb(255, 255, 255)'; };
  const el = document.getElementById('ivig-chat').shadowRoot.querySelector(selector);
  const [a, b] = [lum(getComputedStyle(el).color), lum(bg(el))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize(
    "selector",
    [".ivig-msg--bot", ".ivig-chat__header", ".ivig-chat__notice", ".ivig-options button",
     ".ivig-chat__form button"],
)  # fmt: skip
def test_text_contrast_meets_wcag_aa(page, selector):
    expect(page.locator(".ivig-options button").first).to_be_visible(timeout=30_000)
    assert page.evaluate(CONTRAST, selector) >= 4.5


def test_the_page_loads_nothing_from_other_servers(browser, stack):
    context = browser.new_context()
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(re.sub(r"^\w+://([^/]+).*", r"\1", request.url)))
    page.goto(f"{stack.url}/webhooks/chat/")
    expect(page.locator(BOT).first).to_be_visible(timeout=30_000)
    context.close()
    assert hosts == {stack.url.split("://")[1]}


# Finding 1: embedded on another site with the README's snippet, in a shadow root.
PLAIN_SITE = """<!doctype html><html lang="en"><head><title>Example Pharmacy</title><style>
  :root { --brand: #ff00ff; --ink: #00ff00; --ivig-brand: #ff00ff; }
  html { font-size: 10px; }
  body { margin: 3em; font: 24px/3 Georgia, serif; color: rgb(90, 20, 20);
         background: rgb(255, 250, 230); letter-spacing: 2px; }
  h1 { font-size: 3em; }
  button { display: none; }
  div { padding: 3em; }
  input { visibility: hidden; }
  .ivig-chat, .ivig-msg, .ivig-chat__log { display: none; }
</style></head><body><main><h1>Example Pharmacy</h1><p>Welcome to our pharmacy.</p>
<button type="button" id="own">Our button</button>
EMBED
</main></body></html>"""
HOST_STYLES = """() => Object.fromEntries(['body', 'h1', 'p', '#own'].map((selector) => {
  const style = getComputedStyle(document.querySelector(selector));
  return [selector, ['margin', 'fontFamily', 'fontSize', 'lineHeight', 'color',
    'backgroundColor', 'letterSpacing', 'display'].map((name) => style[name])];
}))"""


def readme_embed_snippet(bot_url: str) -> str:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```html\n(.*?widget\.js.*?)```", readme, re.S)
    assert snippet, "README.md shows no embed snippet for widget.js"
    return snippet.group(1).replace("https://<bot host>", bot_url)


class HostSite:
    """Another site on loopback (its own origin) whose pages a test writes."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.pages.get(self.path, "").encode()
                kind = "application/javascript" if self.path.endswith(".js") else "text/html"
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def host_site():
    site = HostSite()
    yield site
    site.server.shutdown()


def test_on_another_site_the_widget_changes_none_of_its_styles_and_theirs_do_not_break_it(
    browser, own_server, host_site
):
    host_site.pages["/plain"] = PLAIN_SITE.replace("EMBED", "")
    host_site.pages["/with-chat"] = PLAIN_SITE.replace(
        "EMBED", readme_embed_snippet(own_server.url)
    )
    page, problems = open_page(browser, f"{host_site.url}/plain")
    before = page.evaluate(HOST_STYLES)
    sheets = page.evaluate("document.styleSheets.length")
    page.goto(f"{host_site.url}/with-chat")
    launcher(page).click()
    greeted(page)
    assert page.evaluate(HOST_STYLES) == before
    assert page.evaluate("document.styleSheets.length") == sheets  # its styles are its own
    assert page.evaluate("typeof window.io") == "undefined"  # nor socket.io's global
    assert page.evaluate(f"{WIDGET}.mode") == "open"
    widget = page.evaluate(
        f"""() => {{ const s = getComputedStyle({WIDGET}.querySelector('.ivig-chat'));
        return [s.fontSize, s.fontFamily, s.letterSpacing, s.display]; }}"""
    )
    assert widget[0] == "17px" and "Georgia" not in widget[1] and widget[2] == "normal"
    assert widget[3] == "flex"
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_visible()
    expect(page.locator(".ivig-chat__notice")).to_be_visible()
    say(page, "what is the usual dose of ivig?")
    assert source_text(page).startswith(SOURCE_NAME)
    page.screenshot(path=str(screenshot_path("widget-embedded.png")))
    page.context.close()
    assert not problems, problems


# Finding 2: connecting, cannot connect (retry, phone), reconnecting.
def start_rasa(server: Stack) -> None:
    process, log = server._spawn_rasa(f"rasa-{server.rasa_port}", server.rasa_port)
    wait_until(lambda: server.send("readiness-probe", "hi") is not None, 240, process, log)


@pytest.fixture(scope="module")
def own_server(stack, host_site):
    """A Rasa server of its own (same model, action server and stores) that a test may stop and
    start again, with the pharmacy's phone, name, logo, privacy notice and article configured;
    its widget may be used on host_site."""
    port = free_port()
    server = replace(stack, rasa_port=port, processes=[], extra_env={
        **stack.extra_env, "PHARMACY_PHONE": PHONE,
        "SOCKETIO_ALLOWED_ORIGINS": f"http://127.0.0.1:{port},{host_site.url}",
        "WIDGET_BRAND_NAME": BRAND, "WIDGET_LOGO_URL": LOGO, "WIDGET_PRIVACY_URL": PRIVACY,
        "ARTICLE_URL": ARTICLE})  # fmt: skip
    server.model = stack.model
    start_rasa(server)
    yield server
    server.stop()


def test_on_an_origin_it_may_not_use_it_says_it_cannot_connect_and_offers_a_retry(browser, stack):
    elsewhere = stack.url.replace("127.0.0.1", "localhost")  # not in SOCKETIO_ALLOWED_ORIGINS
    page, problems = open_page(browser, "")
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{elsewhere}/webhooks/chat/")
    status = page.get_by_role("status")
    expect(status).to_have_text(CANNOT_CONNECT, timeout=15_000)
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_disabled()
    expect(page.locator(".ivig-chat__notice")).to_be_visible()
    assert page.locator("a[href^='tel:']").count() == 0  # no phone configured on this server
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("widget-cannot-connect.png")))
    tried = len(sockets)
    retry.click()
    expect(status).to_have_text(CANNOT_CONNECT, timeout=15_000)
    assert len(sockets) > tried  # it did try again
    expect(retry).to_be_focused()
    page.context.close()
    assert not problems, problems


def test_when_the_server_goes_away_it_says_so_offers_the_phone_and_continues_when_back(
    browser, own_server
):
    page, problems = open_page(browser, f"{own_server.url}/webhooks/chat/")
    greeted(page)
    shown = bot_messages(page).count()
    status = page.get_by_role("status")
    own_server.stop()
    expect(status).to_have_text("Connection lost. Reconnecting…", timeout=15_000)
    expect(status).to_have_text(CANNOT_CONNECT, timeout=60_000)
    expect(page.get_by_role("link", name=PHONE)).to_have_attribute("href", "tel:5550100199")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("widget-server-down.png")))
    start_rasa(own_server)
    retry = page.get_by_role("button", name="Try again")
    if retry.is_visible():  # it may have got back on its own already, or do so now
        try:
            retry.click(timeout=5_000)
        except PlaywrightTimeoutError:
            expect(retry).to_be_hidden()
    expect(page.get_by_label("Your message")).to_be_enabled(timeout=30_000)
    expect(bot_messages(page)).to_have_count(shown)  # the transcript, and no second greeting
    assert "myositis" in say(page, "what is myositis").lower()
    page.context.close()
    assert not problems, problems


# Finding 3: the same conversation and transcript in a new tab.
def test_a_new_tab_mid_screening_shows_the_transcript_and_takes_the_next_answer(page, stack):
    screen_to_medicines(page)
    shown = bot_messages(page).count()
    second = page.context.new_page()
    frames = sent_frames(second)
    second.goto(f"{stack.url}/webhooks/chat/")
    expect(bot_messages(second)).to_have_count(shown)
    expect(bot_messages(second).last).to_contain_text("How did those medicines go?")
    expect(second.get_by_label("Your message")).to_be_enabled(timeout=30_000)
    # One tab holds the chat: the first one says where it went and can take it back.
    expect(page.get_by_role("status")).to_have_text("This chat is open in another tab.")
    expect(page.get_by_label("Your message")).to_be_disabled()
    reply = click(second, "Did not help enough")
    assert "couldn't read" not in reply and second.locator(BOT).last.get_by_role("button").count()
    assert "/greet" not in [u["message"] for u in uttered(frames)]
    assert axe_violations(page) == []
    page.get_by_role("button", name="Use the chat here").click()
    expect(bot_messages(page)).to_have_count(bot_messages(second).count())
    expect(page.get_by_label("Your message")).to_be_enabled(timeout=30_000)
    assert "couldn't read" not in click(page, "No")
    expect(second.get_by_role("status")).to_have_text("This chat is open in another tab.")


# Finding 4: only the newest reply's options can be used.
# Its background (grey once closed) and whether it can take the focus.
OPTION_LOOK = """(b) => [getComputedStyle(b).backgroundColor,
    (b.focus(), b.getRootNode().activeElement === b)]"""


def test_answer_options_stop_working_once_used_or_when_a_newer_reply_comes(page):
    greeted(page)
    say(page, "could ivig help me")
    who = page.locator(BOT).nth(bot_messages(page).count() - 1).get_by_role("button")
    click(page, "For me")
    kind = page.locator(BOT).nth(bot_messages(page).count() - 1).get_by_role("button")
    say(page, "dermatomyositis")  # typed, not clicked: the newer reply closes these too
    for options in (who, kind):
        assert options.count() >= 2
        for index in range(options.count()):
            expect(options.nth(index)).to_be_disabled()
            assert options.nth(index).evaluate(OPTION_LOOK) == ["rgb(241, 243, 245)", False]
    newest = page.locator(BOT).last.get_by_role("button").first
    expect(newest).to_be_enabled()
    assert newest.evaluate(OPTION_LOOK) == ["rgb(255, 255, 255)", True]
    assert axe_violations(page) == []


# Finding 5: a long reply starts at its first message.
def test_a_reply_longer_than_the_view_is_shown_from_its_first_message(browser, stack):
    page, problems = open_page(browser, f"{stack.url}/webhooks/chat/",
                               viewport={"width": 640, "height": 360})  # fmt: skip
    greeted(page)
    before = bot_messages(page).count()
    say(page, "what is the usual dose of ivig?")
    where = page.evaluate(
        f"""(before) => {{ const root = {WIDGET}, log = root.querySelector('.ivig-chat__log');
        const first = root.querySelectorAll('.ivig-msg--bot')[before];
        return [first.getBoundingClientRect().top - log.getBoundingClientRect().top,
                log.scrollHeight - first.offsetTop, log.clientHeight]; }}""",
        before,
    )
    offset, reply_height, view = where
    assert reply_height > view, "the reply fits in the view: this test needs a longer one"
    assert 0 <= offset <= 16, where
    page.context.close()
    assert not problems, problems


# Finding 6: 200% zoom.
def test_at_200_percent_zoom_the_log_keeps_at_least_half_the_widget(browser, stack):
    page, problems = open_page(browser, f"{stack.url}/webhooks/chat/",
                               viewport={"width": 640, "height": 360})  # fmt: skip
    greeted(page)
    widget, log = page.evaluate(
        f"""() => ['.ivig-chat', '.ivig-chat__log'].map((s) =>
        {WIDGET}.querySelector(s).getBoundingClientRect().height)"""
    )
    assert log >= widget / 2, (log, widget)
    assert widget <= 360
    for control in (page.get_by_label("Your message"), page.locator(".ivig-chat__notice")):
        control.scroll_into_view_if_needed()
        expect(control).to_be_in_viewport()
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("widget-zoom-200.png")))
    page.context.close()
    assert not problems, problems


# Finding 7: the notice is the widget's own.
def test_the_safety_notice_is_inside_the_widget_and_stays_in_view(page):
    greeted(page)
    notice = page.evaluate(f"{WIDGET}.querySelector('.ivig-chat__notice').textContent")
    assert notice == webchat.NOTICE and "not medical advice" in notice and "911" in notice
    assert "911" not in page.evaluate("document.body.innerText")  # not the page's text
    for question in ("what is the usual dose of ivig?", "what is myositis", "what is ivig"):
        say(page, question)
    expect(page.locator(".ivig-chat__notice")).to_be_in_viewport()


def test_the_widget_keeps_a_transcript_as_long_as_the_server_keeps_the_session():
    domain = (PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")
    minutes = re.search(r"session_expiration_time:\s*(\d+)", domain)
    assert minutes and int(minutes.group(1)) == webchat.TRANSCRIPT_MINUTES


# Finding 8: client-made message ids.
def test_each_message_carries_its_own_message_id(browser, stack):
    page, problems = open_page(browser, "")
    frames = sent_frames(page)
    page.goto(f"{stack.url}/webhooks/chat/")
    greeted(page)
    say(page, "could ivig help me")
    click(page, "For me")
    messages = uttered(frames)
    assert [m["message"] for m in messages][1:] == ["could ivig help me", messages[2]["message"]]
    ids = [m["message_id"] for m in messages]
    assert len(ids) == 3 and len(set(ids)) == 3 and all(UUID.match(i) for i in ids), ids
    page.context.close()
    assert not problems, problems


def test_a_message_sent_again_after_a_reconnect_keeps_its_message_id(browser, stack):
    page, problems = open_page(browser, "")
    sent: list[str] = []
    seen: list[str] = []

    def through(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message) -> None:
            sent.append(message)
            if "what is myositis" in str(message) and "dropped" not in seen:
                seen.append("dropped")  # the connection drops with the message unanswered
                ws.close()
                server.close()
                return
            server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(re.compile(r"/socket\.io/"), through)
    page.goto(f"{stack.url}/webhooks/chat/")
    greeted(page)
    page.evaluate(
        f"""() => {{ window.statusSeen = [];
        const status = {WIDGET}.querySelector('.ivig-chat__typing');
        new MutationObserver(() => window.statusSeen.push(status.textContent))
          .observe(status, {{childList: true, characterData: true, subtree: true}}); }}"""
    )
    assert "myositis" in say(page, "what is myositis").lower()
    assert "Connection lost. Reconnecting…" in page.evaluate("window.statusSeen")
    first, again = [m for m in uttered(sent) if m["message"] == "what is myositis"]
    assert first["message_id"] == again["message_id"] and UUID.match(first["message_id"])
    expect(page.locator(".ivig-msg--user")).to_have_count(1)
    page.context.close()
    assert not problems, problems


def test_no_accessibility_violations_with_open_and_closed_options(page):
    greeted(page)
    say(page, "could ivig help me")
    click(page, "For me")
    assert axe_violations(page) == []


# Issue 15: the launcher, "Start over", the pharmacy's branding and links, sources, rasa-webchat.
def offline_but_loopback(page: Page) -> None:
    """The logo from its (made-up) https server; nothing else off this machine."""
    page.context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"), lambda route: route.abort()
    )  # the route added last is tried first
    page.context.route(LOGO, lambda route: route.fulfill(body=PNG, content_type="image/png"))


def embedded_page(
    browser: Browser, own_server, host_site, name: str, site: str = PLAIN_SITE, **options
) -> tuple[Page, list[str]]:
    host_site.pages[f"/{name}"] = site.replace("EMBED", readme_embed_snippet(own_server.url))
    page, problems = open_page(browser, "", **options)
    offline_but_loopback(page)
    page.goto(f"{host_site.url}/{name}")
    return page, problems


def test_on_another_site_it_starts_as_a_launcher_opened_and_minimized_by_keyboard_and_kept(
    browser, own_server, host_site
):
    page, problems = embedded_page(browser, own_server, host_site, "launcher")
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    button = launcher(page)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "ivig-chat-window")
    expect(page.get_by_label("Your message")).to_be_hidden()
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("widget-launcher.png")))
    assert sockets == [] and session_token(page) is None  # no conversation until it is opened
    button.focus()
    page.keyboard.press("Enter")
    greeted(page)
    expect(page.get_by_label("Your message")).to_be_focused()
    expect(button).to_be_hidden()
    expect(page.locator(".ivig-launcher")).to_have_attribute("aria-expanded", "true")
    assert axe_violations(page) == []
    say(page, "what is myositis")
    shown = bot_messages(page).count()
    page.reload()  # still open, same transcript
    expect(bot_messages(page)).to_have_count(shown, timeout=30_000)
    expect(launcher(page)).to_be_hidden()
    minimize = page.get_by_role("button", name="Minimize")
    minimize.focus()
    page.keyboard.press("Enter")
    expect(launcher(page)).to_be_focused()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("log")).to_be_hidden()
    page.reload()  # still minimized
    expect(launcher(page)).to_be_visible()
    expect(page.get_by_role("log")).to_be_hidden()
    launcher(page).click()
    expect(bot_messages(page)).to_have_count(shown, timeout=30_000)
    expect(page.get_by_label("Your message")).to_be_focused(timeout=30_000)
    page.keyboard.press("Escape")  # Escape minimizes too
    expect(launcher(page)).to_be_focused()
    page.context.close()
    assert not problems, problems


def test_the_chat_page_opens_by_itself_and_its_minimize_button_works(page):
    greeted(page)
    expect(launcher(page)).to_be_hidden()
    # Its own page: the chat is part of the page (it does not float in a corner).
    assert page.evaluate(f"getComputedStyle({WIDGET}.querySelector('.ivig-wrap')).position") == (
        "static"
    )
    page.get_by_role("button", name="Minimize").click()
    expect(launcher(page)).to_be_focused()
    expect(page.get_by_role("log")).to_be_hidden()
    launcher(page).press("Enter")
    expect(page.get_by_role("log")).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_focused()


# On another site the widget floats in the window's bottom-right corner, and a reply
# that comes while it is minimized shows on the launcher.
PARAGRAPHS = "<p>Our opening hours, services and locations.</p>" * 60
LONG_SITE = PLAIN_SITE.replace(
    "EMBED",
    PARAGRAPHS + '<aside style="position: fixed; right: 0; bottom: 0; width: 50%; z-index: 100000; '
    'background: rgb(230, 230, 230)">We use cookies.</aside>EMBED',
)  # a long page, with a cookie notice of its own over the bottom-right corner
CORNER = """(selector) => {
  const r = document.getElementById('ivig-chat').shadowRoot.querySelector(selector)
    .getBoundingClientRect(), view = document.documentElement;
  return {left: r.left, top: r.top, right: view.clientWidth - r.right,
          bottom: view.clientHeight - r.bottom, width: r.width, height: r.height};
}"""


def place(page: Page, selector: str) -> dict[str, float]:
    """The widget's element: its distance from each edge of the window, and its size."""
    return page.evaluate(CORNER, selector)


def in_the_corner(where: dict[str, float]) -> bool:
    """Near the window's bottom-right corner, with a margin."""
    return 4 <= where["right"] <= 32 and 4 <= where["bottom"] <= 32


def test_on_another_site_the_launcher_stays_in_the_bottom_right_corner_as_the_page_scrolls(
    browser, own_server, host_site
):
    page, problems = embedded_page(browser, own_server, host_site, "long", site=LONG_SITE,
                                   viewport={"width": 1280, "height": 800})  # fmt: skip
    expect(launcher(page)).to_be_visible()
    where = place(page, ".ivig-launcher")
    assert in_the_corner(where), where
    for y in (1500, 100_000):  # halfway down the page, and at its end
        page.evaluate("(y) => window.scrollTo(0, y)", y)
        assert page.evaluate("window.scrollY") > 0
        assert place(page, ".ivig-launcher") == where
    # Over the page's own layers (its cookie notice is in that corner too).
    middle = [where["left"] + where["width"] / 2, where["top"] + where["height"] / 2]
    assert page.evaluate(
        f"([x, y]) => !!{WIDGET}.elementFromPoint(x, y).closest('.ivig-launcher')", middle
    )
    launcher(page).click()
    greeted(page)
    assert in_the_corner(place(page, ".ivig-chat"))
    page.context.close()
    assert not problems, problems


@pytest.mark.parametrize(
    "size",
    [pytest.param({"width": 1280, "height": 800}, id="desktop"),
     pytest.param({"width": 375, "height": 667}, id="phone"),
     pytest.param({"width": 640, "height": 360}, id="zoom-200")],  # 1280x720 at 200%
)  # fmt: skip
def test_on_another_site_the_open_chat_is_fixed_in_the_corner_and_inside_the_window(
    browser, own_server, host_site, size
):
    page, problems = embedded_page(browser, own_server, host_site, "long", site=LONG_SITE,
                                   viewport=size)  # fmt: skip
    page.evaluate("window.scrollTo(0, 1500)")
    launcher(page).click()
    greeted(page)
    where = place(page, ".ivig-chat")
    assert min(where["left"], where["top"], where["right"], where["bottom"]) >= 0, where
    assert in_the_corner(where), where
    if size["width"] <= 480:  # a phone: (nearly) the whole window
        assert where["width"] >= 0.9 * size["width"], where
        assert where["height"] >= 0.9 * size["height"], where
    elif size["height"] >= 720:  # a desktop: a panel beside the page
        assert where["left"] > size["width"] / 2, where
    widget, log = where["height"], place(page, ".ivig-chat__log")["height"]
    assert log >= widget / 2, (log, widget)
    assert say(page, "what can you do?")
    for control in (page.get_by_label("Your message"), page.get_by_role("button", name="Send"),
                    page.locator(".ivig-chat__notice")):  # fmt: skip
        expect(control).to_be_in_viewport(ratio=1)
    page.evaluate("window.scrollTo(0, 100000)")
    assert place(page, ".ivig-chat") == where
    assert axe_violations(page) == []
    name = f"widget-corner-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(screenshot_path(name)))
    page.context.close()
    assert not problems, problems


class HeldReplies:
    """The bot's messages held back on their way to the page while `holding`, then let through."""

    def __init__(self, page: Page) -> None:
        self.holding = False
        self.held: list[str | bytes] = []
        self.route: WebSocketRoute | None = None
        page.route_web_socket(re.compile(r"/socket\.io/"), self._through)

    def _through(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self.route = ws

        def from_server(message: str | bytes) -> None:
            if self.holding and str(message).startswith('42["bot_uttered"'):
                self.held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)

    def release(self) -> None:
        self.holding = False
        for message in self.held:
            self.route.send(message)
        self.held.clear()


def ask_and_minimize(page: Page, replies: HeldReplies, question: str, key: str | None) -> None:
    """Sends the question and minimizes the chat (the button, or a key) before the reply comes."""
    replies.holding = True
    page.get_by_label("Your message").fill(question)
    page.get_by_label("Your message").press("Enter")
    if key:
        page.keyboard.press(key)
    else:
        page.get_by_role("button", name="Minimize").click()
    expect(launcher(page)).to_be_focused()
    expect(launcher(page)).to_have_accessible_name("Chat with us")  # nothing new yet
    replies.release()


def test_a_reply_that_comes_while_minimized_shows_on_the_launcher_until_it_is_opened(
    browser, own_server, host_site
):
    page, problems = embedded_page(browser, own_server, host_site, "unread", site=LONG_SITE)
    replies = HeldReplies(page)
    badge = page.locator(".ivig-launcher__badge")
    note = page.locator(".ivig-unread")  # announced politely, outside the hidden chat window
    expect(note).to_have_attribute("aria-live", "polite")
    assert page.locator("#ivig-chat-window .ivig-unread").count() == 0
    launcher(page).click()
    greeted(page)
    ask_and_minimize(page, replies, "what can you do?", None)
    expect(badge).to_have_text("1")
    expect(badge).to_be_visible()
    expect(launcher(page)).to_have_accessible_name("Chat with us, 1 new message")
    expect(note).to_have_text("1 new message from the IVIG assistant")
    assert in_the_corner(place(page, ".ivig-launcher"))
    assert min(place(page, ".ivig-launcher__badge").values()) >= 0  # all of it in the window
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("widget-launcher-badge.png")))
    launcher(page).click()  # opening it shows the reply and clears the marker
    expect(bot_messages(page).last).to_contain_text("I can tell you about myositis")
    expect(badge).to_be_hidden()
    expect(note).to_have_text("")
    before = bot_messages(page).count()
    ask_and_minimize(page, replies, "what is ivig", "Escape")  # a reply of several messages
    turn(page, before)
    count = bot_messages(page).count() - before
    assert count >= 2, "a one-message reply: this part needs a longer one"
    expect(badge).to_have_text(str(count))  # counted from none again
    expect(launcher(page)).to_have_accessible_name(f"Chat with us, {count} new messages")
    expect(note).to_have_text(f"{count} new messages from the IVIG assistant")
    page.reload()  # the number is this page's only: no stale count after a reload
    expect(launcher(page)).to_have_accessible_name("Chat with us")
    expect(badge).to_be_hidden()
    launcher(page).click()
    expect(bot_messages(page)).to_have_count(before + count, timeout=30_000)
    page.context.close()
    assert not problems, problems


def test_start_over_asks_first_then_starts_a_new_conversation_with_an_empty_transcript(page):
    frames = sent_frames(page)
    page.reload()
    greeted(page)
    say(page, "could ivig help me")
    click(page, "For me")
    old = session_token(page)
    shown = page.locator(".ivig-msg").count()
    page.get_by_role("button", name="Start over").click()
    question = page.get_by_role(
        "group", name="Start a new chat? The messages here will be cleared."
    )
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="Yes, start over")).to_be_focused()
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("widget-start-over.png")))
    question.get_by_role("button", name="No, go back").click()  # nothing changes
    expect(question).to_be_hidden()
    expect(page.get_by_role("button", name="Start over")).to_be_focused()
    assert page.locator(".ivig-msg").count() == shown and session_token(page) == old
    page.get_by_role("button", name="Start over").click()
    page.keyboard.press("Escape")  # Escape closes the question, not the chat
    expect(question).to_be_hidden()
    expect(page.get_by_role("log")).to_be_visible()
    page.get_by_role("button", name="Start over").click()
    question.get_by_role("button", name="Yes, start over").click()
    greeted(page)
    expect(page.get_by_label("Your message")).to_be_focused(timeout=30_000)
    expect(page.locator(".ivig-msg")).to_have_count(1)  # the new greeting only
    expect(page.locator(".ivig-msg--user")).to_have_count(0)
    new = session_token(page)
    assert new and new != old  # a new session, from the server
    assert page.evaluate(f"localStorage.getItem('ivig-chat-log:{old}')") is None
    requests = [json.loads(f[2:])[1] for f in frames if f.startswith('42["session_request"')]
    assert requests[-1] == {"session_id": None}
    assert [m["message"] for m in uttered(frames)][-1] == "/greet"
    # The new conversation does not know the old one's screening: it asks who it is for again.
    assert "who is this for?" in say(page, "could ivig help me")
    page.reload()
    expect(page.locator(".ivig-msg--user")).to_have_count(1, timeout=30_000)


def test_the_pharmacy_name_logo_and_privacy_notice_come_from_configuration(
    browser, own_server, host_site
):
    page, problems = embedded_page(browser, own_server, host_site, "branded")
    launcher(page).click()
    greeted(page)
    header = page.locator(".ivig-chat__header")
    expect(header).to_contain_text(BRAND)
    logo = header.locator("img")
    expect(logo).to_have_attribute("src", LOGO)
    expect(logo).to_have_attribute("alt", "")
    assert logo.evaluate("(img) => img.complete && img.naturalWidth") == 1  # it loaded
    privacy = page.get_by_role("link", name="Privacy notice")
    expect(privacy).to_have_attribute("href", PRIVACY)
    expect(privacy).to_have_attribute("rel", "noopener noreferrer")
    assert axe_violations(page) == []
    for selector in (".ivig-chat__brand", ".ivig-chat__tools button", ".ivig-chat__notice a"):
        assert page.evaluate(CONTRAST, selector) >= 4.5, selector
    page.screenshot(path=str(screenshot_path("widget-branded.png")))
    page.context.close()
    assert not problems, problems
    # The bot's own page lets its CSP load the logo from the logo's server, and only that one.
    with urllib.request.urlopen(f"{own_server.url}/webhooks/chat/") as served:
        policy = served.headers["Content-Security-Policy"]
    assert "img-src 'self' https://cdn.example-pharmacy.test data:;" in policy


def test_configured_values_are_used_only_as_text_and_safe_addresses(browser, stack):
    """What webchat.py would refuse, put into widget.js as if it had not: the widget's own checks
    keep markup as text and drop addresses that are neither https nor on the bot's server."""
    page, problems = open_page(browser, "")
    refused = {
        "brandName": '<img src=x onerror="alert(1)">Care',
        "logoUrl": "javascript:alert(1)",
        "privacyUrl": "http://elsewhere.example-pharmacy.test/privacy",
        "articleUrl": "data:text/html,<script>alert(1)</script>",
    }

    def with_refused(route) -> None:
        served = route.fetch()
        body = served.text()
        config = json.loads(re.search(r"var CONFIG = (\{.*?\}) \|\|", body).group(1))
        body = body.replace(json.dumps(config), json.dumps({**config, **refused}), 1)
        route.fulfill(response=served, body=body)

    page.route(re.compile(r"/widget\.js$"), with_refused)
    page.goto(f"{stack.url}/webhooks/chat/")
    greeted(page)
    expect(page.locator(".ivig-chat__brand")).to_have_text(refused["brandName"])
    assert page.locator(".ivig-chat img").count() == 0
    assert page.get_by_role("link", name="Privacy notice").count() == 0
    say(page, "what is the usual dose of ivig?")
    assert page.locator(BOT).last.locator(".ivig-source a").count() == 0
    page.context.close()
    assert not problems, problems


def test_widget_config_refuses_addresses_that_are_not_https_or_on_the_bots_server():
    environ = {
        "WIDGET_BRAND_NAME": "  Example\nPharmacy\x00 Care " + "x" * 100,
        "WIDGET_LOGO_URL": "http://cdn.example-pharmacy.test/logo.png",
        "WIDGET_PRIVACY_URL": 'https://www.example-pharmacy.test/privacy" onclick="x',
        "ARTICLE_URL": "//www.example-pharmacy.test/article",
    }
    config = webchat.widget_config(environ)
    assert (
        config["brandName"].startswith("Example Pharmacy Care x") and len(config["brandName"]) == 80
    )
    assert (config["logoUrl"], config["privacyUrl"], config["articleUrl"]) == ("", "", "")
    config = webchat.widget_config(
        {"WIDGET_LOGO_URL": "/webhooks/chat/logo.png", "ARTICLE_URL": ARTICLE}
    )
    assert (config["logoUrl"], config["articleUrl"]) == ("/webhooks/chat/logo.png", ARTICLE)
    assert webchat.image_sources(config) == ""  # on the bot's own server: 'self' covers it


def source_of_last_answer(page: Page, question: str):
    answer = say(page, question)
    assert "2 g of IVIG per kg" in answer
    return page.locator(BOT).last.locator(".ivig-source")


def test_an_answers_source_links_to_the_article_with_its_references_folded_away(
    browser, own_server, host_site
):
    page, problems = embedded_page(browser, own_server, host_site, "sources")
    launcher(page).click()
    greeted(page)
    source = source_of_last_answer(page, "what is the usual dose of ivig?")
    link = source.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", ARTICLE)
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert link.inner_text().startswith("Source")
    expect(link).to_have_accessible_name(f"{SOURCE_NAME} (AmeriPharma Specialty Care)")
    refs = source.locator("details")
    expect(refs).not_to_have_attribute("open", "")
    numbers = refs.locator("p")
    expect(numbers).to_be_hidden()
    assert re.search(r"references? \d+(, \d+)*\.$", numbers.text_content())
    assert axe_violations(page) == []
    refs.locator("summary").click()
    expect(numbers).to_be_visible()
    expect(numbers).to_contain_text("IVIG and Myositis (AmeriPharma Specialty Care), reference")
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_path("widget-source.png")))
    page.reload()  # the transcript shows it the same way
    expect(launcher(page)).to_be_hidden()  # it was open
    expect(page.locator(BOT).last.locator(".ivig-source a")).to_have_attribute("href", ARTICLE)
    page.context.close()
    assert not problems, problems


def test_without_article_url_the_source_is_plain_text_with_its_references_folded_away(page):
    greeted(page)
    source = source_of_last_answer(page, "what is the usual dose of ivig?")
    assert source.locator("a").count() == 0
    expect(source.locator(".ivig-source__name")).to_have_text(re.compile(r"^Source"))
    expect(source.locator("details p")).to_be_hidden()
    # Read out (and copied) as the whole source line.
    assert re.match(
        r"Source from the article IVIG and Myositis \(AmeriPharma Specialty Care\) ?References",
        source_text(page),
    )


RASA_WEBCHAT_SITE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Example Pharmacy</title></head><body><main><h1>Example Pharmacy</h1>
<div id="webchat"></div></main>
<script src="/rasa-webchat.js"></script>
<script>
  WebChat.default({
    selector: "#webchat", initPayload: "/greet", socketUrl: "BOT", socketPath: "/socket.io/",
    title: "IVIG assistant", embedded: true, params: { storage: "session" }
  }, null);
</script></body></html>"""


def test_rasa_webchat_1_0_1_on_another_site_talks_to_the_socketio_channel(
    browser, own_server, host_site
):
    bundle = WEB_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
    if not bundle.exists():
        pytest.fail("rasa-webchat is not installed: run `make install` (package.json lists it)")
    version = json.loads((bundle.parent.parent / "package.json").read_text())["version"]
    assert version == "1.0.1"
    host_site.pages["/rasa-webchat.js"] = bundle.read_text(encoding="utf-8")
    host_site.pages["/rasa-webchat"] = RASA_WEBCHAT_SITE.replace("BOT", own_server.url)
    page, problems = open_page(browser, "")
    offline_but_loopback(page)
    frames = sent_frames(page)
    page.goto(f"{host_site.url}/rasa-webchat")
    replies = page.locator(".rw-response")
    expect(replies.first).to_contain_text("IVIG assistant", timeout=30_000)
    before = replies.count()
    page.locator(".rw-new-message").fill("what is ivig")
    page.locator(".rw-new-message").press("Enter")
    expect(page.locator(".rw-client").last).to_contain_text("what is ivig")
    expect(replies).not_to_have_count(before, timeout=30_000)
    expect(replies.nth(before)).to_contain_text("immunoglobulin", timeout=30_000)
    # rasa-webchat shows a turn's messages one after another.
    sourced = replies.filter(has_text="Source: IVIG and Myositis")
    expect(sourced.first).to_be_visible(timeout=30_000)
    assert "what is ivig" in [m["message"] for m in uttered(frames)]
    page.screenshot(path=str(screenshot_path("rasa-webchat.png")))
    page.context.close()
    assert not problems, problems

"""The web chat page in a real headless Chromium: ask, click, screen, reload, stay accessible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import screenshot_path

BOT = ".ivig-msg--bot"


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(viewport={"width": 900, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    opened.goto(f"{stack.url}/webhooks/chat/")
    yield opened
    context.close()
    assert not problems, problems


def bot_messages(page: Page):
    return page.locator(BOT)


def turn(page: Page, before: int) -> str:
    """The text of the bot's messages of this turn, once the typing indicator has gone."""
    expect(bot_messages(page)).not_to_have_count(before, timeout=30_000)
    expect(page.locator(".ivig-chat__typing")).to_have_text("", timeout=30_000)
    return "\n".join(bot_messages(page).all_inner_texts()[before:])


def say(page: Page, text: str) -> str:
    before = bot_messages(page).count()
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    return turn(page, before)


def click(page: Page, title: str) -> str:
    before = bot_messages(page).count()
    page.locator(BOT).last.get_by_role("button", name=title, exact=True).click()
    return turn(page, before)


def test_the_page_greets_answers_a_question_with_its_source_and_buttons_work(page):
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)
    answer = say(page, "what is the usual dose of ivig?")
    assert "2 g of IVIG per kg" in answer and "Source: IVIG and Myositis" in answer
    assert "Here are its sources" in say(page, "where is that from?")
    link = page.locator(BOT).last.locator("a").first
    expect(link).to_have_attribute("href", re.compile(r"^https://"))
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    say(page, "what is the usual dose of ivig?")
    assert "who is this for?" in click(page, "Could IVIG help me?")
    page.screenshot(path=str(screenshot_path("widget-answer.png")))


def test_a_screening_finishes_by_clicks_and_typing_and_survives_a_reload(page):
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)
    say(page, "could ivig help me")
    click(page, "For me")
    click(page, "Dermatomyositis")
    click(page, "Both")
    page.reload()  # same conversation, same answers, transcript still shown
    expect(bot_messages(page).last).to_contain_text("How did those medicines go?", timeout=30_000)
    assert bot_messages(page).count() >= 4
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
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)
    say(page, '<img src=x onerror="alert(1)"><b>what is ivig</b>')
    assert page.locator(".ivig-chat__log img, .ivig-chat__log b").count() == 0
    expect(page.locator(".ivig-msg--user").last).to_contain_text("<img src=x")


def test_the_typing_indicator_shows_while_the_bot_answers(page):
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)
    page.evaluate(
        """() => { window.typingSeen = [];
        new MutationObserver(() => window.typingSeen.push(
            document.querySelector('.ivig-chat__typing').textContent))
          .observe(document.querySelector('.ivig-chat__typing'),
                   {childList: true, characterData: true, subtree: true}); }"""
    )
    say(page, "what is myositis")
    assert "The assistant is typing…" in page.evaluate("window.typingSeen")
    expect(page.locator(".ivig-chat__typing")).to_have_text("", timeout=5_000)


def test_an_empty_message_gets_a_hint_and_nothing_is_sent(page):
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)
    before = page.locator(".ivig-msg").count()
    page.get_by_label("Your message").press("Enter")
    expect(page.locator(".ivig-chat__typing")).to_have_text("Please type a question first.")
    assert page.locator(".ivig-msg").count() == before


def test_the_widget_works_by_keyboard_alone(page):
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip-link")).to_be_focused()
    say(page, "could ivig help me")
    option = page.locator(BOT).last.get_by_role("button", name="For me")
    option.focus()
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    assert "type of myositis" in turn(page, before)
    outline = page.evaluate(
        """() => { const b = document.querySelector('.ivig-msg--bot:last-child button');
        b.focus(); const style = getComputedStyle(b);
        return style.outlineStyle + ' ' + style.outlineWidth; }"""
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px")


def test_every_control_is_labelled_and_the_log_is_announced(page):
    expect(bot_messages(page).first).to_contain_text("IVIG assistant", timeout=30_000)
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
  const el = document.querySelector(selector);
  const [a, b] = [lum(getComputedStyle(el).color), lum(bg(el))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize(
    "selector",
    [".ivig-msg--bot", ".ivig-chat__header", ".ivig-options button", ".ivig-chat__form button"],
)
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

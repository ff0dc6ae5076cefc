"""Raw messages: cleaned of markup, and the unreadable ones named instead of guessed at."""

import pytest

from bot.rasa_server.input_policy import Limits, RateLimiter, assess, clean, reply

LIMITS = Limits(max_chars=2000, per_minute=3)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        (None, "empty"),
        ("x" * 10_000, "too_long"),
        ("😀😀😀", "no_words"),
        ("!!! ???", "no_words"),
        ("<b></b><br/>", "markup"),
        ("hola como estas", "other_language"),
        ("me llamo Ana y tengo dermatomiositis", "other_language"),
        ("Bonjour, je suis malade", "other_language"),
        ("你好 我想了解IVIG", "other_language"),
        ("Здравствуйте", "other_language"),
    ],
)
def test_unreadable_messages_are_named(raw, problem):
    assessment = assess(raw, LIMITS)
    assert assessment.problem == problem
    assert assessment.payload == f'/unreadable_input{{"input_problem": "{problem}"}}'


@pytest.mark.parametrize(
    "text",
    ["what is ivig", "165", "CA", "no", "I live in Los Angeles", "r there side effects",
     "'; DROP TABLE events; --", "/affirm", "x" * 2000],
)  # fmt: skip
def test_readable_messages_pass_unchanged(text):
    assert assess(text, LIMITS).payload == text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<script>alert(1)</script>what is ivig", "what is ivig"),
        ("<b>hello</b>", "hello"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;hi", "hi"),
        ("<img src=x onerror=alert(1)>dose?", "dose?"),
        ("what\x00 is\x07 ivig\x1b", "what is ivig"),
        ("dose \ufffd\ufffd please", "dose \ufffd\ufffd please"),
    ],
)
def test_markup_and_control_characters_are_removed_before_anything_else(raw, text):
    assert clean(raw) == text
    assert "<" not in assess(raw, LIMITS).payload


def test_an_emergency_passes_in_any_language():
    assert assess("no puedo respirar", LIMITS).problem is None


def test_replies_fill_the_limit_and_the_phone():
    assert "2000 characters" in reply("too_long", "555-0100", LIMITS)
    assert "555-0100" in reply("other_language", "555-0100", LIMITS)


def test_the_rate_limit_counts_each_sender_over_a_minute():
    limiter = RateLimiter(per_minute=3)
    assert [limiter.allow("a", t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", 3)
    assert limiter.allow("a", 60.5)


@pytest.mark.parametrize("text", ["wz@example.com", "my email is ana.com@correo.com",
                                  "see https://www.example.com/com/de"])  # fmt: skip
def test_emails_and_web_addresses_are_not_read_as_another_language(text):
    assert assess(text, LIMITS).payload == text


def test_the_rate_limit_forgets_idle_senders_so_new_ids_cannot_fill_memory():
    limiter = RateLimiter(per_minute=3)
    for i in range(5000):
        limiter.allow(f"sender-{i}", now=i / 1000)  # 5000 ids within 5 seconds
    limiter.allow("late", now=200.0)
    for i in range(5000):
        limiter.allow(f"later-{i}", now=200.0 + i / 1000)
    assert len(limiter) < 6000  # the first 5000, idle for minutes, were forgotten
    assert [limiter.allow("later-1", now=200.5) for _ in range(3)] == [True, True, False]

"""SMS and WhatsApp through the Twilio channel: signed webhooks in, Twilio API calls out."""

import itertools

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.integration.conftest import SMS_NUMBER, TWILIO_TOKEN, WHATSAPP_NUMBER

PUBLIC_URL = "https://bot.example-pharmacy.test/webhooks/twilio/webhook"
_numbers = itertools.count(100)
_message_sids = itertools.count(1)


@pytest.fixture
def phone() -> str:
    return f"+1415555{next(_numbers):04d}"


def post(stack, params, signature=None):
    """One webhook call as Twilio makes it: every message has its own MessageSid."""
    params = {"MessageSid": f"SM{next(_message_sids):032x}", **params}
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL, params)
    return requests.post(
        f"{stack.url}/webhooks/twilio/webhook",
        data=params,
        headers={"X-Twilio-Signature": signature},
        timeout=30,
    )


def text(stack, twilio_api, sender, body, **extra):
    before = len(twilio_api.to(sender, wait=0))
    response = post(stack, {"From": sender, "Body": body, "NumMedia": "0", **extra})
    assert response.status_code == 204
    return "\n".join(m["Body"] for m in twilio_api.to(sender, after=before))


def test_a_signed_hi_gets_a_reply_from_the_sms_number(stack, twilio_api, phone):
    reply = text(stack, twilio_api, phone, "hi")
    assert "IVIG bot" in reply
    assert "Reply HELP for help, STOP to opt out." in reply  # the first reply says both words
    (last,) = twilio_api.to(phone)[-1:]
    assert last["From"] == SMS_NUMBER


@pytest.mark.parametrize("signature", ["", "forged-signature"])
def test_unsigned_or_forged_requests_are_refused_and_reach_no_conversation(
    stack, twilio_api, phone, signature
):
    response = post(stack, {"From": phone, "Body": "hi"}, signature=signature)
    assert response.status_code == 403
    assert twilio_api.to(phone, wait=0.5) == []


def test_buttons_become_numbered_options_and_1_picks_the_first(stack, twilio_api, phone):
    question = text(stack, twilio_api, phone, "could ivig help me")
    assert "Reply 1-2:\n1 For me\n2 For someone I care for" in question  # one per line
    assert "/" not in question.split("Reply")[1]  # no raw payloads
    assert "What type of myositis" in text(stack, twilio_api, phone, "1")


def test_stop_silences_the_number_until_start(stack, twilio_api, phone):
    text(stack, twilio_api, phone, "hi")
    assert text(stack, twilio_api, phone, "STOP") == ""
    assert twilio_api.to(phone, after=len(twilio_api.to(phone, wait=0)), wait=0.5) == []
    post(stack, {"From": phone, "Body": "what is ivig", "NumMedia": "0"})
    assert twilio_api.to(phone, after=len(twilio_api.to(phone, wait=0)), wait=1.0) == []
    assert "subscribed again" in text(stack, twilio_api, phone, "START")


def test_help_gives_the_program_hours_phone_frequency_rates_and_stop(stack, twilio_api, phone):
    reply = text(stack, twilio_api, phone, "HELP")
    assert "AmeriPharma" in reply and "Monday to Friday" in reply and "STOP" in reply
    assert "Call " in reply  # how to reach a person (the Contact Us page until a phone is set)
    assert "Msg frequency varies" in reply and "Msg & data rates may apply" in reply


def test_stop_on_whatsapp_is_confirmed_since_no_carrier_does_it(stack, twilio_api, phone):
    sender = f"whatsapp:{phone}"
    text(stack, twilio_api, sender, "hi")
    assert "won't get more messages" in text(stack, twilio_api, sender, "stop")
    post(stack, {"From": sender, "Body": "what is ivig", "NumMedia": "0"})
    assert twilio_api.to(sender, after=len(twilio_api.to(sender, wait=0)), wait=1.0) == []


def test_whatsapp_senders_are_answered_from_the_whatsapp_number(stack, twilio_api, phone):
    sender = f"whatsapp:{phone}"
    assert "Source:" in text(stack, twilio_api, sender, "what is ivig")
    assert twilio_api.to(sender)[-1]["From"] == f"whatsapp:{WHATSAPP_NUMBER}"


def test_a_media_only_message_gets_a_kind_reply_not_an_error(stack, twilio_api, phone):
    reply = text(stack, twilio_api, phone, "", NumMedia="1", MediaUrl0="https://x.test/a.jpg")
    assert "in words" in reply


def test_sms_replies_are_plain_text(stack, twilio_api, phone):
    reply = text(stack, twilio_api, phone, "how much ivig do they give for myositis")
    assert "2 g of IVIG per kg" in reply and "<" not in reply and "**" not in reply


def test_on_sms_the_handoff_offers_the_senders_number(stack, twilio_api, phone, receiver):
    assert "OK?" in text(stack, twilio_api, phone, "can someone call me")
    text(stack, twilio_api, phone, "1")  # Yes, that's okay
    text(stack, twilio_api, phone, "Grace Hopper")
    offer = text(stack, twilio_api, phone, "1")  # Phone call
    assert f"ending in {phone[-4:]}" in offer
    assert "best time" in text(stack, twilio_api, phone, "yes")
    done = text(stack, twilio_api, phone, "morning")
    reference = done.split("Your reference is ")[1].split(".")[0]
    assert receiver.wait_for(len(receiver.distinct() | {reference}))
    (lead,) = [p for p in receiver.accepted if p["reference"] == reference]
    assert lead["contact"]["phone"] == phone and lead["channel"] == "twilio"


def test_sms_gets_its_own_shorter_wording(stack, twilio_api, phone):
    greeting = text(stack, twilio_api, phone, "hello")
    first_line = greeting.split("\nReply")[0]
    assert "not medical advice" in first_line and len(first_line) <= 160
    assert "Reply 1-2:\n1 What is IVIG?\n2 Could IVIG help me?" in greeting


def test_sms_menu_of_topics_is_short_with_four_numbered_options(stack, twilio_api, phone):
    menu = text(stack, twilio_api, phone, "what can you do")
    assert len(menu) <= 320
    assert "Reply 1-4:\n1 Myositis\n2 IVIG\n3 Could IVIG help me?\n4 A specialist" in menu
    assert text(stack, twilio_api, phone, "1").startswith("Myositis means inflammation")


def test_sms_screening_opens_with_the_keywords_a_texter_can_use(stack, twilio_api, phone):
    question = text(stack, twilio_api, phone, "could ivig help me")
    assert "Text WHY, SKIP or EXIT any time" in question
    assert "STOP" not in question  # the carrier's opt-out would unsubscribe them silently
    assert len(question) <= 320


def test_exit_leaves_the_sms_screening_without_unsubscribing(stack, twilio_api, phone):
    text(stack, twilio_api, phone, "could ivig help me")
    reply = text(stack, twilio_api, phone, "exit")
    assert "Do you want to stop the screening?" in reply


def test_a_reply_twilio_refuses_is_queued_and_sent_in_order_when_it_is_back(
    stack, twilio_api, phone
):
    twilio_api.mode = "error"
    try:
        response = post(stack, {"From": phone, "Body": "what is ivig", "NumMedia": "0"})
        assert response.status_code == 204  # the turn is done; its texts wait in the queue
        assert twilio_api.to(phone, wait=1.0) == []
        assert twilio_api.refused >= 1
    finally:
        twilio_api.mode = "ok"
    delivered = twilio_api.to(phone, wait=30.0)  # the retry loop runs every few seconds
    assert delivered and "IVIG" in delivered[0]["Body"]
    assert text(stack, twilio_api, phone, "how often is it given").strip()  # order kept after


FULL_SCREENING = [
    "could ivig help me", "1", "dermatomyositis",
    "prednisone didn't work and methotrexate gave me side effects", "no",
    "no IgA problems, never had a reaction", "165 lbs", "Blue Cross through work", "CA",
    "yes my rheumatologist", "looks right",
]  # fmt: skip


def test_a_full_screening_by_sms_costs_at_most_20_segments(stack, twilio_api, phone):
    from tests.fake_twilio import segments

    transcript = []
    for body in FULL_SCREENING:
        before = len(twilio_api.to(phone, wait=0))
        assert post(stack, {"From": phone, "Body": body, "NumMedia": "0"}).status_code == 204
        transcript += [m["Body"] for m in twilio_api.to(phone, after=before)]
    assert "A good fit for a specialist review" in transcript[-1]  # the outcome came
    cost = sum(segments(text) for text in transcript)
    print(f"\nfull SMS screening: {len(transcript)} texts, {cost} segments")
    assert cost <= 20

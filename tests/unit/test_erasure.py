"""What both servers agree an erasure is (bot/core/erasure.py)."""

from bot.core.erasure import (
    ERASED,
    Erasure,
    erase_request,
    forget_contact_request,
    forget_contact_rows,
    reply,
    request_in,
)


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def test_only_the_rewrite_slot_with_a_known_kind_is_a_request():
    assert request_in(slot("tracker_rewrite", erase_request(["IV-1"]))) == {
        "kind": "erase", "referrals": ["IV-1"],
    }  # fmt: skip
    assert request_in(slot("tracker_rewrite", forget_contact_request()))["kind"] == "forget_contact"
    assert request_in(slot("tracker_rewrite", {"kind": "drop_table"})) is None
    assert request_in(slot("tracker_rewrite", "erase")) is None
    assert request_in(slot("diagnosis", erase_request([]))) is None


def test_the_reply_says_what_was_erased_and_never_claims_a_transcript_it_could_not_erase():
    done = Erasure(messages=3, replies=2, answers=4)
    assert reply(["IV-7"], done, 90) == dict(
        response="utter_erased_with_referral", references="IV-7", messages=3, replies=2, answers=4
    )
    assert reply([], done, 90)["response"] == "utter_erased_no_referral"
    assert reply(["IV-7"], None, 30) == dict(
        response="utter_erased_referral_only", references="IV-7", days=30
    )
    assert reply([], None, 30) == dict(response="utter_erase_failed", days=30)


def test_forgetting_contact_blanks_the_typed_answers_and_their_slots_only():
    rows = [
        (1, "slot", slot("requested_slot", "contact_phone")),
        (2, "user", {"event": "user", "text": "415 555 0142",
                     "parse_data": {"intent": {"name": "inform"}}}),
        (3, "slot", slot("contact_phone", "+14155550142")),
        (4, "slot", slot("requested_slot", "contact_time")),
        (5, "user", {"event": "user", "text": "mornings"}),
        (6, "slot", slot("diagnosis", "polymyositis")),
    ]  # fmt: skip
    changed = dict(forget_contact_rows(rows))
    assert sorted(changed) == [2, 3]
    assert changed[2]["text"] == ERASED and changed[2]["parse_data"]["intent"]["name"] == "inform"
    assert changed[3]["value"] is None


def test_forgetting_blanks_the_message_that_carried_an_agents_call_notes():
    given = {"notes": "Dr. Rivera", "wrap_up": "referred"}
    notes = {
        "event": "user",
        "text": "/save_call_notes",
        "parse_data": {"intent": {"name": "save_call_notes"}},
        "metadata": {"agent": "Ann", "call_notes": given},
    }
    question = {"event": "user", "text": "how often", "parse_data": {"intent": {"name": "faq"}}}
    rows = [(1, "user", question), (2, "user", notes)]
    changed = dict(forget_contact_rows(rows))
    assert sorted(changed) == [2]
    assert changed[2]["metadata"] == {} and changed[2]["parse_data"]["metadata"] == {}
    assert changed[2]["parse_data"]["intent"]["name"] == "save_call_notes"
    assert "Rivera" not in str(changed[2])

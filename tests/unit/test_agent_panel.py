"""The agent's side panel: answers in words, the outcome with reasons, flags, the referral."""

from bot.core.agent_panel import panel

FINISHED = {
    "for_whom": "self", "diagnosis": "dermatomyositis", "first_line_tried": "both",
    "first_line_result": "not_enough", "ivig_status": "no", "iga_status": "normal",
    "severe_reaction": "no", "weight_kg": 70.0, "insurance": "medicare", "us_state": "OR",
    "has_doctor": "neurologist", "screening_confirmed": True,
}  # fmt: skip


def user(text: str, intent: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def test_a_new_call_shows_nothing_yet():
    shown = panel({}, [])
    assert shown["answers"] == [] and shown["outcome"] is None and shown["safety_flags"] == []
    assert shown["referral"] == {"status": "none"} and shown["in_screening"] is False


def test_answers_so_far_are_labelled_in_words_and_the_outcome_waits_for_the_end():
    shown = panel({"for_whom": "self", "diagnosis": "dermatomyositis", "weight_kg": 70.0,
                   "requested_slot": "first_line_tried"}, [])  # fmt: skip
    assert {"question": "Diagnosis", "answer": "dermatomyositis"} in shown["answers"]
    assert shown["in_screening"] and shown["outcome"] is None


def test_a_finished_screening_shows_each_outcome_with_its_reasons():
    shown = panel({**FINISHED, "screening_outcome": ["specialist_review"]}, [])
    (review,) = [o for o in shown["outcome"]["outcomes"] if "specialist review" in o["title"]]
    assert any("dermatomyositis" in reason for reason in review["reasons"])
    assert all(row["question"] != "Screening confirmed" for row in shown["answers"])


def flagged(text: str, intent: str, level: str, category: str, self_harm: bool = False) -> dict:
    """A user event as the NLU left it: the intent and its `red_flag` verdict."""
    event = user(text, intent)
    event["parse_data"]["red_flag"] = {"level": level, "category": category,
                                       "self_harm": self_harm}  # fmt: skip
    return event


def test_emergencies_self_harm_and_medicine_questions_are_flagged_in_order():
    events = [
        user("what is ivig", "faq"),
        flagged("I can't breathe", "emergency", "emergency", "breathing"),
        flagged("I want to kill myself", "emergency_self_harm", "emergency", "self_harm", True),
        user("should I stop my prednisone", "medication_advice"),
    ]
    flags = panel({}, events)["safety_flags"]
    assert [f["kind"] for f in flags] == ["emergency", "self_harm", "medicine"]
    assert "breathing" in flags[0]["label"] and "self-harm" in flags[1]["label"]


def test_the_flags_follow_what_the_nlu_decided_not_the_words():
    """The panel agrees with what the caller was told, even where a reading of the text alone
    would not (a button payload, or the classifier's own emergency)."""
    flags = panel({}, [user("/emergency", "emergency"), user("/emergency_self_harm",
                                                             "emergency_self_harm")])  # fmt: skip
    assert [f["kind"] for f in flags["safety_flags"]] == ["emergency", "self_harm"]
    calm = flagged("I couldn't breathe for a moment last year", "faq", "about", "breathing")
    assert panel({}, [calm])["safety_flags"] == []


def test_a_red_flag_mentioned_without_an_emergency_is_flagged_as_a_caution():
    flags = panel({}, [
        flagged("is my chest tight from ivig", "faq", "caution", "chest"),
        flagged("sometimes I think about not being here", "inform", "caution", "self_harm", True),
    ])["safety_flags"]  # fmt: skip
    assert [f["kind"] for f in flags] == ["caution", "caution_self_harm"]
    assert "chest" in flags[0]["label"] and "911" in flags[0]["label"]
    assert "988" in flags[1]["label"]


def test_the_referral_shows_consent_then_the_reference():
    assert panel({"handoff_consent_at": "2026-11-25T10:00:00+00:00"}, [])["referral"][
        "status"
    ].startswith("consent given")
    assert panel({"lead_reference": "IVIG-7K2Q"}, [])["referral"] == {
        "status": "created", "reference": "IVIG-7K2Q", "wrap_up": None,
    }  # fmt: skip


def test_the_referral_shows_the_wrap_up_the_agent_saved_in_words():
    slots = {"lead_reference": "IVIG-7K2Q", "call_wrap_up": "call_back"}
    assert panel(slots, [])["referral"]["wrap_up"] == "Caller asked for a call back"

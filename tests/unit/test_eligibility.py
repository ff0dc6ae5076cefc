"""Every outcome of the screening rules, their reasons, the dose information and the cost notes."""

import inspect
import re

import pytest

from bot.core import eligibility
from bot.core.eligibility import after_weight_text, dose_text, financial_note, outcomes

GOOD_FIT = {
    "for_whom": "self",
    "diagnosis": "dermatomyositis",
    "first_line_tried": "both",
    "first_line_result": ["not_enough", "side_effects"],
    "ivig_status": "none",
    "iga_status": "no_known",
    "severe_reaction": "no",
    "weight_kg": 74.8,
    "insurance": "commercial",
    "us_state": "CA",
    "has_doctor": "rheumatologist",
}


def ids(answers):
    return [o.id for o in outcomes(answers)]


def reasons(answers, outcome_id):
    return next(o.reasons for o in outcomes(answers) if o.id == outcome_id)


def test_a_diagnosed_patient_whose_first_medicines_failed_is_a_good_fit():
    assert ids(GOOD_FIT) == ["specialist_review"]
    assert reasons(GOOD_FIT, "specialist_review") == (
        "a doctor told you that you have dermatomyositis. IVIG has been used for this type and "
        "for others (references 1, 6, 8)",
        "the first medicines did not help enough and caused side effects. That is when doctors "
        "most often think about IVIG (references 1, 2)",
        "you have a rheumatologist who could order it",
    )


@pytest.mark.parametrize("diagnosis", ["not_diagnosed", "not_sure"])
def test_no_diagnosis_means_see_your_doctor_first(diagnosis):
    answers = {**GOOD_FIT, "diagnosis": diagnosis}
    assert ids(answers) == ["see_doctor_first"]
    assert "only a doctor can" in reasons(answers, "see_doctor_first")[0]


def test_first_line_not_tried_means_see_your_doctor_first():
    answers = {**GOOD_FIT, "first_line_tried": "none", "first_line_result": None}
    assert ids(answers) == ["see_doctor_first"]


def test_first_line_helping_means_see_your_doctor_first():
    answers = {**GOOD_FIT, "first_line_result": ["helping"]}
    assert ids(answers) == ["see_doctor_first"]


def test_an_existing_prescription_is_a_fit_even_without_failed_first_line():
    answers = {**GOOD_FIT, "first_line_tried": "none", "first_line_result": None}
    answers["ivig_status"] = "prescribed"
    assert ids(answers) == ["specialist_review"]
    assert any("already prescribed" in r for r in reasons(answers, "specialist_review"))


def test_no_doctor_to_order_ivig_means_see_your_doctor_first():
    answers = {**GOOD_FIT, "has_doctor": "no"}
    assert ids(answers) == ["see_doctor_first"]


def test_a_state_outside_the_service_area_is_said_with_alternatives():
    answers = {**GOOD_FIT, "us_state": "ME"}
    assert ids(answers) == ["specialist_review", "outside_service_area"]
    outside = next(o for o in outcomes(answers) if o.id == "outside_service_area")
    assert "Maine" in outside.text and "ask your doctor" in outside.text


def test_the_service_area_is_the_setting_the_process_read_at_start_up():
    from bot.core.program import configure

    configure({"SERVICE_AREA_STATES": "ME, NH"})
    try:
        assert eligibility.default_rules().service_area == {"ME", "NH"}
        assert "outside_service_area" in [o.id for o in outcomes(GOOD_FIT)]
    finally:
        configure({})
    assert "CA" in eligibility.default_rules().service_area


@pytest.mark.parametrize(
    ("item", "value", "words"),
    [
        ("iga_status", "deficient", "you lack IgA"),
        ("iga_status", "not_tested", "has not been checked"),
        ("severe_reaction", "yes", "serious reaction"),
        ("severe_reaction", "not_sure", "not sure if you once had a serious reaction"),
    ],
)
def test_safety_items_are_listed_for_the_prescriber(item, value, words):
    answers = {**GOOD_FIT, item: value}
    assert "safety_items" in ids(answers)
    assert any(words in r for r in reasons(answers, "safety_items"))


@pytest.mark.parametrize(("age", "needed"), [(17, True), (18, False), (5, True), (67, False)])
def test_a_guardian_is_needed_under_18(age, needed):
    answers = {**GOOD_FIT, "for_whom": "other", "patient_age": age}
    assert ("guardian_needed" in ids(answers)) is needed


def test_outcomes_co_occur():
    answers = {
        **GOOD_FIT,
        "diagnosis": "not_diagnosed",
        "us_state": "ME",
        "iga_status": "deficient",
    }
    assert ids(answers) == ["see_doctor_first", "outside_service_area", "safety_items"]


def test_skipped_answers_satisfy_no_condition():
    answers = {**GOOD_FIT, "has_doctor": "skipped"}
    assert ids(answers) == []


def test_a_past_severe_reaction_is_never_said_not_to_rule_ivig_out():
    answers = {**GOOD_FIT, "severe_reaction": "yes"}
    safety = next(o for o in outcomes(answers) if o.id == "safety_items")
    said = " ".join([safety.text, *safety.reasons]).lower()
    assert "rule" not in said and "prescriber decides" in said
    assert "can mean ivig is not safe for you (general safety guidance)" in said


def test_the_dose_information_is_the_articles_per_kg_rates_and_no_amount():
    text = dose_text()
    assert "2 g per kg" in text and "2 to 5 days" in text and "1 g per kg" in text
    assert "once a month" in text and "references 1, 9" in text
    assert "prescriber works out the amount" in text
    assert not re.search(r"\b\d+(?:\.\d+)? ?g\b(?! per kg)", text)


def test_the_dose_information_cannot_be_worked_out_for_a_weight():
    assert list(inspect.signature(dose_text).parameters) == ["rules", "short"]  # no weight
    assert not hasattr(eligibility, "dose")


def test_after_the_weight_the_bot_says_what_it_is_for_without_an_amount():
    text = after_weight_text()
    assert "prescriber" in text and not re.search(r"\d", text)


@pytest.mark.parametrize(
    ("insurance", "words"),
    [
        ("commercial", "copay program may lower"),
        ("medicare", "usually can't be used with Medicare"),
        ("medicaid", "Medicaid"),
        ("military", "TRICARE"),
        ("none", "patient help programs"),
        ("unsure", "look at your coverage"),
        (None, "look at your coverage"),
    ],
)
def test_the_financial_note_fits_the_insurance(insurance, words):
    assert words in financial_note(insurance)


def test_the_financial_note_is_labelled_as_the_teams_not_the_articles():
    assert financial_note("medicare").endswith(
        "(Program information from our team, not from the article.)"
    )


def test_answers_read_back_in_plain_words():
    rules = eligibility.default_rules()
    assert eligibility.label(rules, "us_state", "CA") == "California"
    assert eligibility.label(rules, "weight_kg", 74.8) == "74.8 kg (165 lb)"
    assert eligibility.label(rules, "diagnosis", "inclusion_body_myositis") == (
        "inclusion body myositis"
    )


# ---------------------------------------------------------------- safety flags of a referral


@pytest.mark.parametrize(
    ("answers", "flags"),
    [
        ({"iga_status": "deficient"}, ["iga_deficiency"]),
        ({"iga_status": "not_tested"}, ["iga_not_tested"]),
        ({"severe_reaction": "yes"}, ["earlier_severe_reaction"]),
        ({"severe_reaction": "not_sure"}, ["earlier_severe_reaction_unsure"]),
        (
            {"iga_status": "not_tested", "severe_reaction": "yes"},
            ["iga_not_tested", "earlier_severe_reaction"],
        ),
        ({"iga_status": "normal", "severe_reaction": "no"}, []),
        ({"iga_status": "skipped", "severe_reaction": "skipped"}, []),
        (GOOD_FIT, []),
    ],
)
def test_a_referral_is_flagged_for_each_safety_item_the_answers_raise(answers, flags):
    assert eligibility.safety_flags(answers) == flags


def test_the_safety_flags_are_the_rules_file_safety_conditions():
    """One source: each flagged condition of rules.yml is a safety item the outcome lists, and
    a changed rule changes the flag with it."""
    rules = eligibility.default_rules()
    safety = next(o for o in rules.outcomes if o.get("id") == "safety_items")
    assert [c.get("flag") for c in safety["when_any"]] == [
        "iga_deficiency",
        "iga_not_tested",
        "earlier_severe_reaction",
        "earlier_severe_reaction_unsure",
    ]
    changed = [
        {**o, "when_any": [{"slot": "iga_status", "in": ["no_known"], "flag": "ask_about_iga"}]}
        if o.get("id") == "safety_items"
        else o
        for o in rules.outcomes
    ]
    edited = eligibility.Rules(**{**rules.__dict__, "outcomes": changed})
    assert eligibility.safety_flags({"iga_status": "no_known"}, edited) == ["ask_about_iga"]
    assert eligibility.safety_flags({"iga_status": "deficient"}, edited) == []


def test_the_action_server_keeps_no_list_of_safety_flags_of_its_own():
    import actions.handoff as handoff

    assert not hasattr(handoff, "SAFETY_FLAGS")
    assert "iga_not_tested" not in inspect.getsource(handoff)


def test_the_short_dose_text_keeps_the_rates_the_qualifier_and_the_source():
    short, full = dose_text(short=True), dose_text()
    assert len(short) < len(full)
    for words in ("often", "2 g per kg", "1 g per kg", "prescriber", "references 1, 9"):
        assert words in short

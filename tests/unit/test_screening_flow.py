"""Which questions apply, and what a message means while a question is open."""

from bot.core.screening import flow
from bot.core.screening.flow import interpret, next_slot, required_slots

ALL = {
    "for_whom": "self",
    "diagnosis": "dermatomyositis",
    "first_line_tried": "both",
    "first_line_result": ["not_enough"],
    "ivig_status": "none",
    "iga_status": "normal",
    "severe_reaction": "no",
    "weight_kg": 70.0,
    "insurance": "medicare",
    "us_state": "CA",
    "has_doctor": "rheumatologist",
}


def test_age_is_asked_only_for_someone_else():
    assert "patient_age" not in required_slots({"for_whom": "self"})
    assert "patient_age" in required_slots({"for_whom": "other"})


def test_the_guardian_question_applies_only_under_18():
    assert "guardian_involved" in required_slots({"for_whom": "other", "patient_age": 12})
    assert "guardian_involved" not in required_slots({"for_whom": "other", "patient_age": 18})


def test_how_first_line_went_is_asked_only_when_something_was_tried():
    assert "first_line_result" not in required_slots({"first_line_tried": "none"})
    assert "first_line_result" in required_slots({"first_line_tried": "steroids"})


def test_the_summary_is_the_last_question():
    assert next_slot(ALL) == "screening_confirmed"
    assert next_slot({}) == "for_whom"


def test_answers_that_no_longer_apply_are_cleared():
    answers = {"for_whom": "self", "patient_age": 12, "guardian_involved": "yes"}
    assert flow.stale_answers(answers) == {"patient_age": None, "guardian_involved": None}


def test_an_answer_fills_the_open_question():
    assert interpret("weight_kg", "165 lbs", ALL).values == {"weight_kg": 74.8}


def test_one_message_can_answer_the_next_question_too():
    result = interpret("iga_status", "no IgA problems, never had a reaction", {})
    assert result.values == {"iga_status": "no_known", "severe_reaction": "no"}


def test_someone_else_with_an_age_fills_both():
    assert interpret("for_whom", "for my son, he is 12", {}).values == {
        "for_whom": "other",
        "patient_age": 12,
    }


def test_a_correction_of_an_earlier_answer_is_applied():
    assert interpret("insurance", "actually I weigh 80 kg", ALL).values == {"weight_kg": 80.0}
    assert interpret("has_doctor", "I meant Texas", ALL).values == {"us_state": "TX"}
    assert interpret("insurance", "no, it was polymyositis", ALL).values == {
        "diagnosis": "polymyositis"
    }


def test_a_relatives_story_or_a_question_does_not_change_the_writers_own_answers():
    """ "My nephew has JM" told during one's own screening is about the nephew; "is it used
    for JM?" asks, it tells nothing: neither rewrites the diagnosis."""
    asked = {**ALL, "weight_kg": None, "insurance": None, "us_state": None, "has_doctor": None}
    told = interpret("weight_kg", "my nephew has juvenile myositis too", asked, intent="inform")
    assert "diagnosis" not in told.values
    question = interpret(
        "weight_kg", "my nephew has JM, is it used for him too?", asked, intent="faq"
    )
    assert question.interruption and not question.values
    late = interpret("insurance", "I have polymyositis", ALL)
    assert late.values == {"diagnosis": "polymyositis"}  # still a correction of one's own


def test_a_question_is_an_interruption_not_an_answer():
    result = interpret("diagnosis", "what is dermatomyositis?", ALL, intent="faq")
    assert result.interruption and not result.values


def test_a_plain_answer_wins_over_the_intent_classifier():
    result = interpret("diagnosis", "dermatomyositis", {}, intent="faq")
    assert result.values == {"diagnosis": "dermatomyositis"}


def test_an_unreadable_answer_gets_a_problem_to_explain():
    result = interpret("weight_kg", "a lot", ALL, intent="inform")
    assert result.problem and not result.values and not result.interruption


def test_an_impossible_value_gets_its_own_reason():
    assert "outside the range" in interpret("weight_kg", "2,000 lb", ALL).problem


def test_skip_moves_on():
    assert interpret("weight_kg", "skip", ALL).values == {"weight_kg": flow.SKIPPED}


def test_at_the_summary_change_my_weight_reopens_that_question():
    result = interpret("screening_confirmed", "change my weight", ALL)
    assert result.values == {"weight_kg": None, "screening_confirmed": None}


def test_at_the_summary_looks_right_confirms():
    assert interpret("screening_confirmed", "looks right", ALL).values == {
        "screening_confirmed": flow.CONFIRMED
    }


def test_the_summary_reads_answers_back():
    lines = flow.summary_lines({**ALL, "weight_kg": flow.SKIPPED})
    assert "- Weight: skipped" in lines
    assert "- State: California" in lines
    assert "- IVIG so far: not prescribed" in lines


def test_every_question_has_a_label_a_reason_and_a_reprompt_example():
    for question in flow.questions():
        assert question.label and question.why
        # an example answer in quotes ("150 lb"), or a yes/no question
        assert '"' in question.reprompt or "yes" in question.reprompt


def test_a_correction_does_not_also_answer_a_yes_no_question():
    result = interpret("has_doctor", "no, it was polymyositis", ALL)
    assert result.values == {"diagnosis": "polymyositis"}


def test_a_screen_is_unfinished_until_the_summary_is_confirmed():
    assert not flow.is_unfinished({})
    assert flow.is_unfinished({"for_whom": "self"})
    assert not flow.is_unfinished({**ALL, "screening_confirmed": flow.CONFIRMED})


def test_the_sms_summary_names_each_answer_with_its_short_label():
    lines = flow.short_summary_lines(ALL)
    assert lines[0].startswith("Who: ") and any(line.startswith("Weight: ") for line in lines)
    assert len(lines) == len(flow.summary_lines(ALL))
    assert sum(map(len, lines)) < sum(map(len, flow.summary_lines(ALL)))


def test_a_correction_with_its_value_at_the_summary_is_taken_directly():
    answers = {**ALL, "weight_kg": 70.0}
    result = flow.interpret("screening_confirmed", "actually I weigh 80 kg", answers)
    assert result.values == {"weight_kg": 80.0, "screening_confirmed": None}


def test_a_correction_without_its_value_at_the_summary_asks_that_question_again():
    result = flow.interpret("screening_confirmed", "change my weight", {**ALL, "weight_kg": 70.0})
    assert result.values == {"weight_kg": None, "screening_confirmed": None}

"""Questions about one's own medicines always get "ask your prescriber" and general facts."""

import pytest

from bot.core.boundaries import boundary, is_personal_medication_question


def test_stopping_a_steroid_gets_the_prescriber_line_and_first_line_facts():
    result = boundary("should i stop taking prednisone", ["corticosteroid"], None)
    assert "Please ask your prescriber" in result.text
    assert result.general_topic == "cure_and_first_line"


def test_a_personal_ivig_dose_gets_the_general_dose_topic():
    result = boundary("can i double my ivig dose", ["ivig"], None)
    assert result.general_topic == "ivig_dose"


def test_the_medicine_the_question_asks_about_gives_the_facts_not_the_story_around_it():
    text = "got hives during ivig today. is that bad? shud i take benadryl b4 next time"
    result = boundary(text, ["ivig", "diphenhydramine"], None)
    assert result.general_topic == "infusion_reaction"
    assert boundary(
        "can i take tylenol with my ivig", ["acetaminophen", "ivig"], None
    ).general_topic == ("infusion_reaction")
    assert (
        boundary(
            "should i double my ivig? i also take prednisone", ["ivig", "corticosteroid"], None
        ).general_topic
        == "ivig_dose"
    )


def test_a_lab_result_is_left_to_the_doctor():
    result = boundary("my ck level is 2000 is that bad", [], None)
    assert "explain your test results" in result.text and "prescriber" in result.text


def test_without_a_medicine_the_selected_topic_gives_general_facts():
    assert boundary("what dose should i take", [], "ivig_dose").general_topic == "ivig_dose"
    assert boundary("should i start it", [], None).general_topic is None


@pytest.mark.parametrize(
    "text",
    [
        "should i stop taking prednisone",
        "is it ok if i stop my prednisone early",
        "can i double my ivig dose",
        "how much prednisone should i take",
        "my ck level is 2000 is that bad",
        "is my dose too high",
        "can i skip my next infusion",
        "should my mom switch to imuran",
        "can i up my ivig dose on my own",
        "my doctor gave me a ck test, my ck was 900",
    ],
)
def test_questions_about_ones_own_medicines_are_recognised(text):
    assert is_personal_medication_question(text)


@pytest.mark.parametrize(
    "text",
    ["what is the usual dose of ivig", "how often is ivig given", "what is prednisone",
     "can ivig help me", "should i talk to a specialist", "what are the side effects"],
)  # fmt: skip
def test_general_questions_are_not_boundaries(text):
    assert not is_personal_medication_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "can I switch my infusions to home?",
        "could I start IVIG? I have dermatomyositis, prednisone failed, I live in Ohio with Aetna",
        "should I switch to home infusion",
        "can my mom start getting her IVIG at home",
    ],
)
def test_questions_about_the_program_are_answered_not_refused(text):
    assert not is_personal_medication_question(text)


def test_changing_ones_own_medicine_is_still_refused_next_to_program_words():
    assert is_personal_medication_question("should i stop my prednisone")
    assert is_personal_medication_question("can i double my ivig dose")

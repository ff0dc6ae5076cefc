"""Reading screening answers as people write them, and refusing impossible values."""

import inspect
import re

import pytest

from bot.core.screening import parsing


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("150 pounds", 68.0),
        ("68kg", 68.0),
        ("about 70 kilos", 70.0),
        ("165", 74.8),
        ("165 lbs", 74.8),
        ("I weigh 200 lb", 90.7),
        ("72.5 kg", 72.5),
        ("11 stone", 69.9),
        ("1,000 lb", None),
    ],
)
def test_weight_in_kilograms_or_pounds(text, kg):
    reading = parsing.parse_weight(text)
    assert reading.value == kg


@pytest.mark.parametrize("text", ["0 kg", "2,000 lb", "5 lb", "321 kg", "9 kg"])
def test_impossible_weights_are_refused_with_a_reason(text):
    reading = parsing.parse_weight(text)
    assert reading.value is None
    assert "outside the range" in reading.problem


@pytest.mark.parametrize(("text", "kg"), [("10 kg", 10.0), ("320 kg", 320.0)])
def test_weight_limits_are_inclusive(text, kg):
    assert parsing.parse_weight(text).value == kg


def test_a_weight_without_a_number_is_not_read():
    assert not parsing.parse_weight("a lot").found


def test_inside_other_answers_a_weight_needs_its_unit():
    assert not parsing.parse_weight("I meant 80", need_unit=True).found
    assert parsing.parse_weight("I meant 80 kg", need_unit=True).value == 80.0


@pytest.mark.parametrize(
    ("text", "age"),
    [("12", 12), ("she is 12", 12), ("he's 67 years old", 67), ("sixty-seven", 67),
     ("eight", 8), ("18 months", 1), ("0", 0), ("120", 120)],
)  # fmt: skip
def test_ages_in_digits_and_words(text, age):
    assert parsing.parse_age(text).value == age


@pytest.mark.parametrize("text", ["250", "121", "age 500"])
def test_impossible_ages_are_refused(text):
    reading = parsing.parse_age(text)
    assert reading.value is None and "not an age" in reading.problem


@pytest.mark.parametrize(
    ("text", "code"),
    [("CA", "CA"), ("ca", "CA"), ("California", "CA"), ("i live in texas", "TX"),
     ("New York", "NY"), ("I meant Texas", "TX"), ("Washington DC", "DC"), ("tx.", "TX")],
)  # fmt: skip
def test_states_by_name_or_abbreviation(text, code):
    assert parsing.parse_state(text).value == code


@pytest.mark.parametrize("text", ["Narnia", "Californiaa land", "XY"])
def test_a_state_that_does_not_exist_is_refused(text):
    reading = parsing.parse_state(text)
    assert reading.value is None and "don't know a US state" in reading.problem


@pytest.mark.parametrize(
    ("text", "diagnosis"),
    [
        ("my rheumatologist said it's DM", "dermatomyositis"),
        ("they think it's IBM", "inclusion_body_myositis"),
        ("sIBM", "inclusion_body_myositis"),
        ("polymyositis", "polymyositis"),
        ("IMNM", "necrotizing_myopathy"),
        ("JDM", "juvenile_myositis"),
        ("an overlap syndrome", "other_myositis"),
        ("antisynthetase syndrome", "other_myositis"),
        ("not diagnosed yet", "not_diagnosed"),
        ("no diagnosis", "not_diagnosed"),
        ("not sure", "not_sure"),
        ("no, it was polymyositis", "polymyositis"),
    ],
)
def test_diagnoses_from_free_text(text, diagnosis):
    assert parsing.parse_diagnosis(text).value == diagnosis


@pytest.mark.parametrize(
    ("text", "tried"),
    [
        ("prednisone didn't work and methotrexate gave me side effects", "both"),
        ("only steroids", "steroids"),
        ("prednisone", "steroids"),
        ("cellcept and imuran", "immunosuppressants"),
        ("other immune medicines", "immunosuppressants"),
        ("both", "both"),
        ("none yet", "none"),
        ("no", "none"),
        ("not sure", "not_sure"),
    ],
)
def test_first_line_treatment_tried(text, tried):
    assert parsing.parse_first_line_tried(text).value == tried


def test_the_kind_of_each_medicine_is_the_lexicons_class():
    """Steroids and other immune medicines are told apart by the medicines lexicon
    (data/lexicons/medicines.yml, `class`), not by a list in the code."""
    classes = parsing.medicine_classes()
    assert classes["corticosteroid"] == "steroid"
    assert {name for name, kind in classes.items() if kind == "immunosuppressant"} == {
        "methotrexate", "azathioprine", "mycophenolate", "rituximab", "tacrolimus", "cyclosporine"
    }  # fmt: skip
    assert "hydroxychloroquine" not in classes and "statin" not in classes
    source = inspect.getsource(parsing)
    assert "methotrexate" not in source and '"corticosteroid"' not in source


def test_a_medicine_without_a_class_answers_neither_kind():
    assert parsing.parse_first_line_tried("plaquenil").value is None
    assert parsing.parse_first_line_tried("", ["statin"]).value is None


def test_a_class_given_in_the_lexicon_decides_the_reading(monkeypatch):
    monkeypatch.setattr(
        parsing, "medicine_classes", lambda: {"hydroxychloroquine": "immunosuppressant"}
    )
    assert parsing.parse_first_line_tried("", ["hydroxychloroquine"]).value == "immunosuppressants"
    assert parsing.parse_first_line_tried("", ["methotrexate"]).value is None


def test_a_bare_yes_to_first_line_treatment_asks_which():
    reading = parsing.parse_first_line_tried("yes")
    assert reading.value is None and "Which ones" in reading.problem


@pytest.mark.parametrize(
    ("text", "results"),
    [
        ("prednisone didn't work and methotrexate gave me side effects",
         ["not_enough", "side_effects"]),
        ("could not take them", ["could_not_take"]),
        ("they are helping", ["helping"]),
        ("not helping", ["not_enough"]),
    ],
)  # fmt: skip
def test_how_first_line_treatment_went(text, results):
    assert parsing.parse_first_line_results(text).value == results


@pytest.mark.parametrize(
    ("text", "status"),
    [("no", "none"), ("prescribed but not started", "prescribed"),
     ("getting it now", "receiving"), ("I'm on IVIG monthly", "receiving"),
     ("not sure", "not_sure")],
)  # fmt: skip
def test_ivig_status(text, status):
    assert parsing.parse_ivig_status(text).value == status


@pytest.mark.parametrize(
    ("text", "status"),
    [("tested, it was normal", "normal"), ("I have IgA deficiency", "deficient"),
     ("never tested", "not_tested"), ("not sure", "not_tested"),
     ("no IgA problems, never had a reaction", "no_known"), ("no", "no_known")],
)  # fmt: skip
def test_iga_status(text, status):
    assert parsing.parse_iga(text).value == status


@pytest.mark.parametrize(
    ("text", "answer"),
    [("yes", "yes"), ("no", "no"), ("not sure", "not_sure"), ("no, never", "no"),
     ("I had a bad reaction to a transfusion", "yes")],
)  # fmt: skip
def test_earlier_severe_reaction(text, answer):
    assert parsing.parse_reaction(text).value == answer


def test_a_reaction_mentioned_inside_another_answer_needs_clear_words():
    assert parsing.parse_reaction("no IgA problems, never had a reaction", True).value == "no"
    assert not parsing.parse_reaction("no IgA problems", need_topic=True).found


@pytest.mark.parametrize(
    ("text", "kind"),
    [("Blue Cross through work", "commercial"), ("medicare", "medicare"),
     ("Medi-Cal", "medicaid"), ("tricare", "military"), ("the VA", "military"),
     ("no insurance", "none"), ("self-pay", "none"), ("through my job", "commercial"),
     ("not sure", "unsure")],
)  # fmt: skip
def test_insurance_kinds(text, kind):
    assert parsing.parse_insurance(text).value == kind


@pytest.mark.parametrize(
    ("text", "doctor"),
    [("yes my rheumatologist", "rheumatologist"), ("yes, a neurologist", "neurologist"),
     ("yes, another doctor", "other_doctor"), ("yes", "other_doctor"), ("no", "no"),
     ("I don't have a doctor", "no")],
)  # fmt: skip
def test_a_doctor_who_could_order_ivig(text, doctor):
    assert parsing.parse_has_doctor(text).value == doctor


@pytest.mark.parametrize(
    ("text", "who"),
    [("for me", "self"), ("it's for me", "self"), ("myself", "self"),
     ("for my mother", "other"), ("for someone I care for", "other"), ("my son", "other")],
)  # fmt: skip
def test_who_the_screen_is_for(text, who):
    assert parsing.parse_for_whom(text).value == who


@pytest.mark.parametrize("text", ["skip", "Skip this question", "pass"])
def test_skip_words(text):
    assert parsing.is_skip(text)


@pytest.mark.parametrize(
    "text", ["prednisone stopped helping", "the steroids no longer help", "it quit helping"]
)
def test_a_treatment_that_stopped_helping_is_not_read_as_helping(text):
    assert parsing.parse_first_line_results(text).value == ["not_enough"]


def test_what_the_bot_says_about_an_answer_it_cannot_use_is_data(monkeypatch):
    """The problems said before a re-ask are data/screening/answer_phrases.yml `problems`."""
    assert parsing.parse_age("200").problem == "200 is not an age I can use."
    assert parsing.parse_state("Atlantis").problem == 'I don\'t know a US state called "Atlantis".'
    monkeypatch.setitem(parsing.phrases()["problems"], "age_out_of_range", "Is {age} right?")
    assert parsing.parse_age("200").problem == "Is 200 right?"


def test_the_screenings_code_holds_no_sentence_a_person_reads():
    import ast

    from bot.core.screening import flow

    for module in (parsing, flow):
        tree = ast.parse(inspect.getsource(module))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(getattr(node, "body", None), list)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        sentences = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and len(node.value.split()) >= 3
            and re.search(r"[.?!]\s*$|[.?!]\s", node.value)
        ]
        assert sentences == [], module.__name__


def test_phrases_match_as_whole_words_and_no_phrases_match_nothing():
    assert parsing.has("i am not sure yet", ["not sure", "unsure"])
    assert not parsing.has("i am unsurely", ["unsure"])
    assert parsing.has("dunno", ["dunno|idk"])  # a phrase may hold its own alternatives
    assert not parsing.has("anything at all", [])


def test_one_text_read_for_several_entities_gives_each_its_own_values():
    text = "my mom has dermatomyositis and lives in Ohio"
    assert parsing.lexicon_values(text, "myositis_type") == ["dermatomyositis"]
    assert parsing.lexicon_values(text, "us_state") == ["OH"]

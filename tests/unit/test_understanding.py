"""Whole messages: sentences, the questions among them, the facts stated, the reply plan."""

import pytest

from bot import DATA_DIR
from bot.core.understanding import plan as planning
from bot.core.understanding.facts import stated_facts
from bot.core.understanding.segments import is_asking, segments
from bot.core.yamlio import load_yaml
from bot.rasa_server.nlu.understanding import decide

CUES = planning.Cues.from_data(load_yaml(DATA_DIR / "understanding" / "cues.yml"))
TYPES = {
    "polymyositis": "polymyositis",
    "dermatomyositis": "dermatomyositis",
    "inclusion body myositis": "inclusion_body_myositis",
}


def ranker(table):
    """A stand-in sentence classifier: the first label whose keyword the sentence holds."""

    def rank(texts):
        result = []
        for text in texts:
            label = next((lab for word, lab in table if word in text.lower()), "inform")
            result.append([(label, 0.9), ("out_of_scope", 0.05), ("faq/hours", 0.05)])
        return result

    return rank


def types_in(text):
    found = [(text.lower().find(word), topic) for word, topic in TYPES.items()]
    return [topic for at, topic in sorted(found) if at >= 0]


def test_a_story_is_split_into_sentences_and_only_the_questions_ask():
    found = segments(
        "I have had polymyositis for years. My legs are weak. What are the side effects?"
    )
    assert [s.asks for s in found] == [False, False, True]


def test_two_questions_in_one_sentence_are_read_apart():
    found = segments("How often is IVIG given and what are the side effects?")
    assert len(found) == 2 and all(s.asks for s in found)


@pytest.mark.parametrize(
    "text",
    ["Caller wants to know if there's a cure.", "tell me about home infusion",
     "I'm wondering whether it helps", "is it safe"],
)  # fmt: skip
def test_statements_that_ask_count_as_questions(text):
    assert is_asking(text)


def test_every_question_is_answered_in_order_and_context_is_not_a_question():
    rank = ranker([("side effect", "faq/side_effects"), ("how often", "faq/ivig_frequency"),
                   ("polymyositis", "faq/polymyositis")])  # fmt: skip
    plan = planning.build(
        "I have polymyositis. What are the side effects? And how often is it given?", rank, types_in
    )
    assert plan.topics == ["side_effects", "ivig_frequency"] and plan.intent == "faq"


def test_a_request_comes_before_facts_and_keeps_its_subject():
    rank = ranker([("call me", "request_human")])
    plan = planning.build(
        "My infusions are far away. Can someone call me about home infusion?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.parts[0].kind == "handoff" and plan.topics == ["home_infusion"]
    assert plan.intent == "request_human"


def test_a_question_that_names_nothing_is_read_with_the_story_told_before_it():
    rank = ranker([("iga deficiency", "faq/iga_deficiency")])
    plan = planning.build(
        "My son's doctor says he has IgA deficiency. Is that going to be a problem?",
        rank,
        types_in,
    )
    assert plan.topics == ["iga_deficiency"]


def test_a_clear_not_covered_question_is_not_rescued_by_its_story():
    def rank(texts):
        return [
            [("faq/iga_deficiency", 0.9)] if "iga" in t.lower() else [("ask_not_covered", 0.9)]
            for t in texts
        ]

    plan = planning.build("I have IgA deficiency. Can I get a flu shot?", rank, types_in)
    assert plan.topics == [] and plan.parts[-1].kind == "not_covered"


def test_subjects_named_beside_a_request_for_a_person_are_answered_too():
    rank = ranker([("call me", "request_human")])
    plan = planning.build(
        "Can someone call me back. I want help with the copay and also home infusion.",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.request == "handoff"
    assert set(plan.topics) == {"copay_help", "home_infusion"}


def test_and_whether_starts_a_second_question():
    found = segments("She asks how long an IVIG course lasts and whether you help with insurance.")
    assert [s.text for s in found] == [
        "She asks how long an IVIG course lasts",
        "whether you help with insurance.",
    ]


def test_a_comparison_answers_both_sides():
    plan = planning.build(
        "How is IBM different from polymyositis?", ranker([]), types_in, cues=CUES
    )
    assert plan.topics == ["inclusion_body_myositis", "polymyositis"]


def test_more_than_three_topics_are_offered_as_options():
    rank = ranker([("a?", "faq/types"), ("b?", "faq/causes"), ("c?", "faq/symptoms"),
                   ("d?", "faq/ivig_dose")])  # fmt: skip
    plan = planning.build("What a? What b? What c? What d?", rank, types_in)
    assert len(plan.topics) == 3 and plan.more == ("ivig_dose",)


def test_a_question_the_content_lacks_gets_an_honest_part():
    plan = planning.build("Can I drive after my infusion?", ranker([]), types_in)
    assert [p.kind for p in plan.parts] == ["not_covered"] and plan.intent == "ask_not_covered"


def test_erasure_is_never_planned_without_the_words_of_a_request_to_delete():
    rank = ranker([("myopathic", "delete_my_data"), ("delete", "delete_my_data")])
    assert planning.build("what are myopathic changes?", rank, types_in).request is None
    assert planning.build("please delete my information", rank, types_in).request == "erase"


def test_a_weak_erasure_guess_is_not_understood_rather_than_offered():
    plan = planning.Plan()
    assert decide("delete_my_data", plan, "what are myopathic changes") == "nlu_fallback"
    assert decide("delete_my_data", plan, "delete my data") is None


def test_one_sentence_keeps_diets_intent_unless_a_plain_request_was_missed():
    topic = planning.Plan((planning.Part("topic", "copay_help", 0.9),), sentences=1)
    assert decide("faq", topic, "what does it cost") is None
    asks = planning.Plan(
        (planning.Part("handoff"), planning.Part("topic", "copay_help", 0.9)), sentences=1
    )
    assert decide("faq", asks, "I want to talk to a specialist about copay") == "request_human"
    erase = planning.Plan((planning.Part("erase"),), sentences=1)
    assert decide("ask_not_covered", erase, "can you delete everything I typed") == (
        "delete_my_data"
    )


def test_facts_stated_in_passing_are_read_with_the_screenings_parsers():
    facts = stated_facts(
        "My dad is 67 and has polymyositis; prednisone stopped helping. He lives in Nevada "
        "and has Medicare."
    )
    assert facts["for_whom"] == "other" and facts["patient_age"] == 67
    assert facts["diagnosis"] == "polymyositis" and facts["us_state"] == "NV"
    assert facts["insurance"] == "medicare"
    assert facts["first_line_tried"] == "steroids"


def test_a_weight_needs_its_unit_to_be_taken_in_passing():
    assert "weight_kg" not in stated_facts("I have 3 kids and 2 dogs")
    assert round(stated_facts("I weigh 165 lbs")["weight_kg"], 1) == 74.8


def test_texting_shorthand_is_spelled_out_before_a_sentence_is_classified():
    assert CUES.expand("wat r ur hrs") == "what are your hours"


def test_what_is_that_after_naming_a_type_asks_about_that_type():
    plan = planning.build(
        "My wife has polymyositis. What is that exactly?", ranker([]), types_in, cues=CUES
    )
    assert plan.topics == ["polymyositis"]


def test_a_follow_up_is_read_with_the_subject_of_the_last_answer():
    from bot.core.understanding import context

    def rank(texts):
        text = texts[0].lower()
        label = "faq/polymyositis" if "polymyositis" in text else "out_of_scope"
        return [[(label, 0.8)]]

    assert context.resolve("Which muscles does it go after?", "Polymyositis", rank) == (
        "polymyositis",
        0.8,
    )
    assert context.resolve("Which muscles does it go after?", "", rank) is None
    # Not a follow-up: no pronoun, no "and ...": its own reading stands.
    assert context.resolve("what is ivig made from", "Polymyositis", rank) is None


def test_the_sentence_classifier_is_fitted_from_the_projects_own_data():
    from bot.core.understanding import training

    labels = {label for _, label in training.nlu_examples()}
    assert "faq/ivig_dose" in labels and "request_human" in labels
    assert all("[" not in text for text, _ in training.nlu_examples())  # annotations removed


@pytest.mark.parametrize(
    "text", ["hi what are your hours", "ok and saturday?", "thx. so how often"]
)
def test_a_greeting_or_filler_before_a_question_still_asks(text):
    assert is_asking(text)


@pytest.mark.parametrize(
    "text", ["unrelated but do you sell vapes", "ok so can i get it at home", "fine and is it safe"]
)
def test_a_question_after_a_short_lead_in_still_asks(text):
    assert is_asking(text)


@pytest.mark.parametrize(
    "text", ["My mom has PM and is on prednisone", "He was tired but is better now",
             "I tried steroids for two years but they stopped helping"],
)  # fmt: skip
def test_a_statement_joined_with_and_or_but_is_still_context(text):
    assert not is_asking(text)


def test_a_story_keeps_the_topic_the_whole_message_clearly_asks_about():
    from bot.rasa_server.nlu.understanding import with_confident_selection

    plan = planning.Plan((planning.Part("topic", "when_ivig_used", 0.4),), sentences=2)
    sure = {"faq": {"response": {"intent_response_key": "faq/iga_deficiency", "confidence": 0.95}}}
    unsure = {"faq": {"response": {"intent_response_key": "faq/iga_deficiency", "confidence": 0.6}}}
    assert with_confident_selection(plan, sure).topics == ["iga_deficiency", "when_ivig_used"]
    assert with_confident_selection(plan, unsure).topics == ["when_ivig_used"]
    one_sentence = planning.Plan(plan.parts, sentences=1)  # DIET's own reading applies there
    assert with_confident_selection(one_sentence, sure).topics == ["when_ivig_used"]


def test_a_question_that_ties_its_story_to_a_second_topic_answers_both():
    def rank(texts):
        result = []
        for text in texts:
            if "allergic" in text.lower():  # the question read with its story
                result.append([("faq/iga_deficiency", 0.5), ("faq/infusion_reaction", 0.3)])
            elif "iga" in text.lower():
                result.append([("faq/iga_deficiency", 0.9), ("faq/infusion_reaction", 0.05)])
            else:
                result.append([("inform", 0.6), ("faq/infusion_reaction", 0.2)])
        return result

    plan = planning.build(
        "He had an allergic reaction during his infusion. What does IgA have to do with it?",
        rank,
        types_in,
    )
    assert plan.topics == ["iga_deficiency", "infusion_reaction"]


@pytest.mark.parametrize(
    "text",
    ["ivig or more steroids?? dr gave me the choice",
     "Is IVIG meant to replace the standard drugs, or go alongside them?"],
)  # fmt: skip
def test_a_choice_between_ivig_and_the_first_medicines_answers_both_sides(text):
    plan = planning.build(text, ranker([]), types_in, cues=CUES)
    assert {"when_ivig_used", "cure_and_first_line"} <= set(plan.topics)


def table_ranker(table, default=(("inform", 0.6),)):
    """A stand-in classifier: the ranking of the first keyword the text holds."""

    def rank(texts):
        return [next((list(r) for word, r in table if word in t.lower()), list(default))
                for t in texts]  # fmt: skip

    return rank


def test_a_question_about_something_else_entirely_is_out_of_scope_not_a_content_gap():
    rank = table_ranker([("pharmacy on main", [("out_of_scope", 0.7), ("faq/hours", 0.1)])])
    plan = planning.build("I need cough syrup. Is the pharmacy on Main open late?", rank, types_in)
    assert plan.parts == () and plan.intent == "out_of_scope"
    # Beside a question answered, it is named as outside what the assistant does.
    rank = table_ranker([("pharmacy on main", [("out_of_scope", 0.7)]),
                         ("side effects", [("faq/side_effects", 0.9)])])  # fmt: skip
    plan = planning.build(
        "What are the side effects of IVIG? And is the pharmacy on Main open late?",
        rank,
        types_in,
    )
    assert [p.kind for p in plan.parts] == ["topic", "out_of_scope"]


def test_a_story_about_ivig_does_not_put_an_unanswerable_question_on_the_subject():
    rank = table_ranker([
        ("blood pressure", [("ask_not_covered", 0.3), ("faq/ivig_for_which_types", 0.15)]),
        ("chills", [("faq/side_effects", 0.95)]),
        ("ivig", [("faq/ivig_for_which_types", 0.5)]),
    ])  # fmt: skip
    plan = planning.build(
        "My dad is on IVIG for sIBM. Is his blood pressure medicine safe with it? And are "
        "chills after an infusion normal?",
        rank,
        types_in,
    )
    assert plan.topics == ["side_effects"] and plan.parts[-1].kind == "not_covered"


def test_a_question_about_the_signs_a_story_describes_gets_the_symptoms_answer():
    rank = table_ranker([("exhausted", [("describe_symptoms", 0.8)])], default=(("inform", 0.1),))
    plan = planning.build(
        "I'm exhausted all the time and my thighs ache. Is that part of it?", rank, types_in
    )
    assert plan.topics == ["symptoms"]


def test_a_comma_starts_a_question_of_its_own():
    found = segments("What causes it, is there a cure, and will I be able to keep working?")
    assert [s.text for s in found] == ["What causes it", "is there a cure",
                                       "will I be able to keep working?"]  # fmt: skip


def test_a_question_sure_of_its_topic_keeps_it_whatever_subject_it_borrows():
    rank = table_ranker([
        ("causes it dermatomyositis", [("faq/dermatomyositis", 0.6)]),
        ("what causes it", [("faq/causes", 0.55)]),
        ("shifts dermatomyositis", [("faq/dermatomyositis", 0.4)]),
        ("shifts", [("ask_not_covered", 0.2)]),
    ], default=(("inform", 0.3),))  # fmt: skip
    plan = planning.build(
        "I was diagnosed with dermatomyositis. What causes it? Can I keep working shifts?",
        rank,
        types_in,
    )
    assert plan.topics == ["causes"] and plan.parts[-1].kind == "not_covered"


def test_a_borrowed_subject_that_blurs_the_question_is_not_used():
    question = "How often do kids usually get it?"
    readings = {
        question: [("faq/ivig_frequency", 0.46)],
        # the subject's word spreads the reading below what a topic needs (0.30)
        f"{question} myositis": [("faq/ivig_frequency", 0.28), ("faq/who_gets_it", 0.27)],
    }

    def rank(texts):
        return [readings.get(t, [("faq/juvenile_myositis", 0.19)]) for t in texts]

    story = "My daughter is on IVIG for juvenile myositis."
    plan = planning.build(f"{story} {question}", rank, types_in)
    assert plan.topics == ["ivig_frequency"]


def test_a_question_put_as_a_statement_that_the_content_lacks_is_said_so():
    rank = table_ranker([("cure", [("faq/cure_and_first_line", 0.9)])], default=(("inform", 0.14),))
    plan = planning.build(
        "She wants to know if there's a cure. She also asks whether she can keep going to the gym.",
        rank,
        types_in,
    )
    assert plan.topics == ["cure_and_first_line"] and plan.parts[-1].kind == "not_covered"


def test_a_screening_told_as_already_done_is_the_story_not_a_request():
    rank = table_ranker([("started a screening", [("check_eligibility", 0.57)])],
                        default=(("help", 0.44),))  # fmt: skip
    plan = planning.build(
        "I started a screening for my aunt, but she has changed her mind. Can you erase what I"
        " submitted about her?",
        rank,
        types_in,
        cues=CUES,
    )
    assert [p.kind for p in plan.parts] == ["erase"]


def test_a_type_set_against_myositis_in_general_answers_both_sides_and_nothing_else():
    rank = table_ranker([("difference", [("faq/juvenile_myositis", 0.24)])],
                        default=(("describe_symptoms", 0.59),))  # fmt: skip
    plan = planning.build(
        "My chart says dermatomyositis. What's the difference between myositis in general and"
        " dermatomyositis in particular?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.topics == ["what_is_myositis", "dermatomyositis"]


def test_erase_what_i_submitted_is_a_request_to_delete():
    rank = table_ranker([], default=(("help", 0.44),))
    plan = planning.build(
        "She doesn't want her details kept. Can you erase what I submitted about her?",
        rank,
        types_in,
    )
    assert plan.request == "erase"
    assert planning.build("Can you erase the rash?", rank, types_in).request is None


@pytest.mark.parametrize(
    "text",
    [
        "Please delete everything you have on me.",
        "Can you delete everything I've typed in here?",
        "She wants everything we hold on her wiped.",  # told, not asked
        "can u get rid of this whole chat",
        "I don't want anything I said here kept on your servers.",
        "I'd like all of that gone.",
    ],
)
def test_erasing_everything_one_typed_or_is_held_is_a_request_to_delete(text):
    rank = table_ranker([], default=(("help", 0.44),))
    story = "I typed my full name and birth date last week and I'm not comfortable with that. "
    assert planning.build(story + text, rank, types_in).request == "erase"
    for other in [
        "Can you remove all the side effects?",
        "Will everything be gone after IVIG?",
        "Can IVIG get rid of the rash?",
        "I asked you to delete my data last week.",
    ]:
        assert planning.build(other, rank, types_in).request is None, other


def test_a_screening_word_in_the_story_is_not_a_request_when_the_message_asks_something_else():
    rank = table_ranker([("dose", [("faq/ivig_dose", 0.6)])])
    plan = planning.build(
        "My rheumatologist says I'm a good candidate for IVIG. What is the usual dose?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.request is None and plan.topics == ["ivig_dose"]
    # Told alone, or asked, it is still the screening.
    told = "My doctor says I'm a good candidate for IVIG."
    assert planning.build(told, rank, types_in, cues=CUES).request == "screening"
    how = planning.build(f"{told} What do I need to do to find out?", rank, types_in, cues=CUES)
    assert [p.kind for p in how.parts] == ["screening"]
    asked = planning.build(
        "Could you check if I'm eligible for IVIG? And what is the usual dose?",
        rank,
        types_in,
        cues=CUES,
    )
    assert asked.request == "screening" and asked.topics == ["ivig_dose"]


def test_a_question_with_no_word_of_health_or_of_the_subject_is_about_something_else():
    rank = table_ranker([("hours", [("faq/hours", 0.8)])], default=(("help", 0.16),))
    aside = planning.build(
        "Random thing first: do you know a good plumber? Also, what are your hours?",
        rank,
        types_in,
        cues=CUES,
    )
    assert [p.kind for p in aside.parts] == ["topic", "out_of_scope"]
    claim = planning.build(
        "My car insurance won't cover a rental car while mine is in the shop. Who would I talk"
        " to about that?",
        rank,
        types_in,
        cues=CUES,
    )
    assert claim.parts == () and claim.intent == "out_of_scope"
    # A health question the content lacks is a gap for a specialist, not something else.
    gap = planning.build("I take IVIG. Is his blood pressure medicine safe?", rank, types_in,
                         cues=CUES)  # fmt: skip
    assert gap.intent == "ask_not_covered"


@pytest.mark.parametrize(
    ("text", "named", "topic"),
    [
        ("what about for IBM?", ["IBM"], "ivig_success"),
        ("She asks, what about for IBM?", ["IBM"], "ivig_success"),
        ("and with polymyositis?", ["polymyositis"], "ivig_success"),
        ("does it work for sIBM too?", ["sIBM"], "ivig_success"),
        ("what is IBM?", ["IBM"], None),  # a question of its own
        ("what about IBM, what causes it?", ["IBM"], None),
    ],
)
def test_the_same_question_for_another_type_asks_the_last_answers_topic_again(text, named, topic):
    from bot.core.understanding import context

    assert context.asked_again_for(text, named, "ivig_success", CUES.per_type) == topic
    # After a type's own facts, "what about for IBM?" asks for IBM's.
    assert context.asked_again_for(text, named, "dermatomyositis", CUES.per_type) is None


@pytest.mark.parametrize(
    "text",
    ["does ivig work 4 ibm? my dr says nothing works 4 it", "Does IVIG help with polymyositis?"],
)
def test_whether_ivig_works_for_a_type_asks_if_it_is_used_for_it_and_how_well(text):
    rank = table_ranker([], default=(("faq/ivig_for_which_types", 0.7),))
    assert planning.build(text, rank, types_in, cues=CUES).topics[:2] == [
        "ivig_for_which_types", "ivig_success"
    ]  # fmt: skip


def test_ivig_as_an_option_for_a_thing_asks_the_types_it_is_used_for_not_for_a_screening():
    rank = table_ranker([], default=(("check_eligibility", 0.59),))
    plan = planning.build("Is IVIG an option for it?", rank, types_in, cues=CUES)
    assert plan.request is None and plan.topics == ["ivig_for_which_types"]
    assert decide("check_eligibility", plan, "Is IVIG an option for it?") == "faq"
    person = planning.build("Could IVIG be an option for her?", rank, types_in, cues=CUES)
    assert person.request == "screening"


def test_a_faint_request_that_the_story_makes_a_question_of_a_topic_is_that_topic():
    rank = table_ranker([("iga", [("faq/iga_deficiency", 0.6)]),  # read with its story
                         ("can i still", [("check_eligibility", 0.3)])])  # fmt: skip
    plan = planning.build("I have IgA deficiency. Can I still get IVIG?", rank, types_in)
    assert plan.request is None and plan.topics == ["iga_deficiency"]


def test_a_question_joined_by_and_whether_asks_however_it_reads_alone():
    found = segments(
        "The mom is asking whether it is treated with IVIG, and whether her daughter needs to"
        " be tested for IgA deficiency first."
    )
    assert [s.asks for s in found] == [True, True]
    assert is_asking("He's asking which side effects are common with IVIG.")
    assert is_asking("Check whether my dad qualifies.")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("My husband has dermatomyositis and his doctor wants him to try IVIG. What is it made"
         " from?", "what_is_ivig"),
        ("My doctor keeps mentioning IVIG for my dermatomyositis. What is it, exactly?",
         "what_is_ivig"),
        ("IVIG came up. My wife has just been told she has polymyositis. What is that?",
         "polymyositis"),
        ("My wife has polymyositis. What is that?", "polymyositis"),
    ],
)  # fmt: skip
def test_what_it_is_means_what_was_named_last_unless_that_is_the_persons_own_type(text, topic):
    rank = table_ranker([], default=(("faq/types", 0.4),))
    assert planning.build(text, rank, types_in, cues=CUES).topics == [topic]


def test_a_question_the_classifiers_were_unsure_of_takes_the_surer_reading():
    from bot.core.understanding import context

    def rank(texts):
        text = texts[0].lower()
        if "hours" in text:
            return [[("faq/hours", 0.58)]]
        if "meds" in text:
            return [[("faq/when_ivig_used", 0.78)]]
        return [[("affirm", 0.2)]]

    assert context.read("ok what about saturday", "Hours and contact", rank).topic() == "hours"
    assert context.read("and if the meds dont work?", None, rank).topic() == "when_ivig_used"
    assert context.read("ok", None, rank).topic() is None


def test_a_follow_up_that_fairly_names_another_topic_is_not_pulled_back_to_the_last_one():
    from bot.core.understanding import context

    def rank(texts):
        text = texts[0].lower()
        if "how well ivig works" in text:  # the subject's words outweigh the question's
            return [[("faq/ivig_success", 0.7)]]
        if "paying" in text:
            return [[("faq/copay_help", 0.31)]]
        return [[("faq/side_effects", 0.21)]]

    after_success = context.read(
        "Is there help paying for it?", "How well IVIG works", rank, "ivig_success"
    )
    assert after_success.topic() == "copay_help"
    # A weak reading alone ("which muscles does it go after?") leaves the subject's reading.
    weak = context.read(
        "Which muscles does it go after?", "How well IVIG works", rank, "ivig_success"
    )
    assert weak.topic() == "ivig_success"


def test_a_follow_up_the_last_answer_cannot_place_is_read_with_the_stated_type():
    from bot.core.understanding import context

    def rank(texts):
        if "Polymyositis" in texts[0]:
            return [[("faq/polymyositis", 0.58)]]
        return [[("faq/who_gets_it", 0.3)]]

    question = "Which muscles does it usually go after?"
    after = context.read(question, "Who gets myositis", rank, "who_gets_it", "Polymyositis")
    assert after.topic() == "polymyositis"
    assert context.read(question, "Who gets myositis", rank, "who_gets_it").topic() is None


def test_two_fair_readings_that_agree_on_a_new_topic_take_it():
    from bot.core.understanding import context

    def rank(texts):
        return [[("faq/who_gets_it", 0.36 if texts[0].startswith("who") else 0.28)]]

    after = context.read("And who usually gets it?", "How common it is", rank, "how_common")
    assert after.alone == ("faq/who_gets_it", 0.36)  # read without its joining word
    assert after.topic() == "who_gets_it"


def test_only_a_clear_reading_rescues_a_message_read_as_off_topic():
    from bot.core.understanding import context

    def rank(texts):
        if "made of? What IVIG is" in texts[0]:
            return [[("faq/what_is_ivig", 0.83)]]
        if "walmart? What IVIG is" in texts[0]:
            return [[("faq/what_is_ivig", 0.44)]]
        return [[("out_of_scope", 0.5)]]

    made_of = context.read("what's it made of?", "What IVIG is", rank, "what_is_ivig")
    assert made_of.clear_topic() == "what_is_ivig"
    walmart = context.read("is it sold at walmart?", "What IVIG is", rank, "what_is_ivig")
    assert walmart.topic() == "what_is_ivig" and walmart.clear_topic() is None


def test_a_message_that_is_only_a_lexicon_value_is_a_bare_value():
    from bot.rasa_server.nlu.understanding import is_bare_value

    dm = [{"entity": "myositis_type", "start": 0, "end": 15, "value": "dermatomyositis"}]
    assert is_bare_value("dermatomyositis", dm)
    assert is_bare_value("Dermatomyositis.", dm)
    assert not is_bare_value("dermatomyositis rash on my face", dm)
    assert not is_bare_value("blorp", [])


def test_unsure_between_a_type_and_what_ivig_does_for_it_the_question_is_about_ivig():
    from bot.core.understanding.plan import _topic_of_question

    ranking = [("faq/inclusion_body_myositis", 0.27), ("faq/ivig_success", 0.24)]
    assert _topic_of_question("Does IVIG help inclusion body myositis at all", ranking) == (
        "ivig_success",
        0.24,
    )
    # Without IVIG in the question, the type stays the subject.
    assert _topic_of_question("is inclusion body myositis bad", ranking)[0] == (
        "inclusion_body_myositis"
    )


def test_before_any_answer_the_subject_that_makes_the_follow_up_clearer_is_read():
    """ "He has polymyositis. Could IVIG help him?" then "What's it made of?" (IVIG) or "Which
    muscles does it go after?" (polymyositis): both subjects are tried, the clearer one wins."""
    from bot.core.understanding import context

    def rank(texts):
        return [{
            "What's it made of? What IVIG is": [("faq/what_is_ivig", 0.84)],
            "What's it made of? Polymyositis": [("faq/polymyositis", 0.79)],
            "Which muscles does it go after? What IVIG is": [("faq/how_ivig_works", 0.4)],
            "Which muscles does it go after? Polymyositis": [("faq/polymyositis", 0.9)],
        }.get(texts[0], [("out_of_scope", 0.5)])]  # fmt: skip

    made_of = context.read("What's it made of?", None, rank, None, "Polymyositis", "What IVIG is")
    assert made_of.topic() == "what_is_ivig"
    muscles = "Which muscles does it go after?"
    assert context.read(muscles, None, rank, None, "Polymyositis", "What IVIG is").topic() == (
        "polymyositis"
    )


def test_an_amount_or_a_time_with_nothing_named_is_a_follow_up():
    from bot.core.understanding.context import looks_like_follow_up

    assert looks_like_follow_up("how much would i need")
    assert looks_like_follow_up("how often?")
    assert not looks_like_follow_up("how often is ivig given")


def test_who_a_caregiver_asks_about_is_named_as_the_answers_name_them():
    from bot.core.understanding import plan as planning
    from bot.core.yamlio import load_yaml

    cues = planning.Cues.from_data(load_yaml(planning.CUES_FILE))
    assert cues.person_in("My mom is 67 and has polymyositis") == "your mother"
    assert cues.person_in("our son has jdm and my husband asks") == "your son"
    assert cues.person_in("I have dermatomyositis") is None
    assert cues.person_in("the mom of a friend") is None  # only "my" or "our"


def test_the_second_answer_to_one_question_gives_way_to_another_question():
    rank = table_ranker([("how often", [("faq/ivig_frequency", 0.8)]),
                         ("copay", [("faq/copay_help", 0.8)])])  # fmt: skip
    plan = planning.build(
        "Does IVIG help with polymyositis, how often is it given, and is there help with the"
        " copay?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.topics == ["ivig_for_which_types", "ivig_frequency", "copay_help"]
    assert plan.more == ("ivig_success",)  # offered as an option


def test_texting_laughter_ends_a_sentence():
    found = segments(
        "do u know a good mechanic lol my car died on the way. how long do side effects last"
    )
    assert [s.text for s in found][:2] == [
        "do u know a good mechanic lol.",
        "my car died on the way.",
    ]


def test_the_story_before_a_colon_only_leads_to_the_question_after_it():
    found = segments("I have polymyositis and I want to know: is there actually a cure?")
    assert [(s.text, s.asks) for s in found] == [
        ("I have polymyositis and I want to know", False),
        ("is there actually a cure?", True),
    ]


def test_a_question_word_with_its_verb_after_a_lead_in_asks():
    assert is_asking("hey random q but whos playing in the finals this year")


def test_a_time_said_with_am_or_pm_is_not_read_as_a_myositis_type():
    assert CUES.expand("can someone call me after 6 pm or 9 AM") == (
        "can someone call me after 6 pm or 9 AM"
    )
    assert "polymyositis" in CUES.expand("i was dx w pm last yr")


def test_an_aside_about_this_weekend_is_not_read_as_pointing_back_at_the_story():
    rank = table_ranker([("weather", [("out_of_scope", 0.3)]),
                         ("side effects", [("faq/side_effects", 0.9)])])  # fmt: skip
    plan = planning.build(
        "What are the side effects of IVIG? Also what's the weather doing this weekend?",
        rank,
        types_in,
        cues=CUES,
    )
    assert [p.kind for p in plan.parts] == ["topic", "out_of_scope"]


def test_something_else_beside_a_gap_in_the_content_is_named_after_the_gap():
    rank = table_ranker([("turmeric", [("ask_not_covered", 0.6)]),
                         ("weather", [("out_of_scope", 0.8)])])  # fmt: skip
    plan = planning.build(
        "My dad just started IVIG. Can he keep taking turmeric with it? Also, what's the "
        "weather in Chicago this weekend?",
        rank,
        types_in,
        cues=CUES,
    )
    assert [p.kind for p in plan.parts] == ["not_covered", "out_of_scope"]


def test_whether_ivig_is_used_for_both_types_compared_is_asked_beside_the_comparison():
    rank = table_ranker([("both of them", [("faq/when_ivig_used", 0.32)])])
    plan = planning.build(
        "What's the difference between dermatomyositis and polymyositis? Is IVIG used for both "
        "of them?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.topics == ["dermatomyositis", "polymyositis", "ivig_for_which_types"]


def test_ivig_compared_between_two_types_asks_what_it_does_for_each_not_the_types_facts():
    rank = table_ranker([("option", [("faq/ivig_for_which_types", 0.4)])])
    plan = planning.build(
        "Is IVIG a good option for dermatomyositis versus inclusion body myositis?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.topics == ["ivig_for_which_types", "ivig_success"]


def test_how_well_it_works_for_it_is_not_read_as_which_types_it_is_used_for():
    rank = table_ranker([("how well", [("faq/ivig_success", 0.6)])])
    plan = planning.build("How well does it work for it?", rank, types_in, cues=CUES)
    assert plan.topics == ["ivig_success"]


def test_a_question_about_children_is_also_answered_with_juvenile_myositis():
    rank = table_ranker([("kids", [("faq/who_gets_it", 0.8)])], default=(("inform", 0.4),))
    plan = planning.build("My son is 10. Can kids get myositis too?", rank, types_in, cues=CUES)
    assert plan.topics == ["who_gets_it", "juvenile_myositis"]


def test_something_else_with_only_a_vague_question_beside_it_is_out_of_scope():
    rank = table_ranker([("tax", [("out_of_scope", 0.12)])], default=(("inform", 0.13),))
    plan = planning.build(
        "Caller wants to know who she should contact about an error on her property tax bill. "
        "I told her this is a pharmacy but she's asking if we know anyway.",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.parts == () and plan.intent == "out_of_scope"


def test_a_gap_far_likelier_than_any_topic_is_declined_not_answered_with_a_faint_topic():
    rank = table_ranker([
        ("cure", [("faq/cure_and_first_line", 0.96)]),
        ("live", [("ask_not_covered", 0.45), ("faq/how_common", 0.12)]),
        ("diagnosed", [("faq/inclusion_body_myositis", 0.6)]),
    ])  # fmt: skip
    plan = planning.build(
        "My father was diagnosed with inclusion body myositis at 71. Is there any cure? And how "
        "long do people with inclusion body myositis usually live?",
        rank,
        types_in,
        cues=CUES,
    )
    assert [p.kind for p in plan.parts] == ["topic", "not_covered"]
    assert plan.topics == ["cure_and_first_line"]


def test_how_ivig_works_is_not_read_as_whether_it_works():
    rank = table_ranker([("how does", [("faq/how_ivig_works", 0.4), ("faq/ivig_success", 0.3)])])
    plan = planning.build(
        "how does ivig even work lol. its just antibodies right?", rank, types_in, cues=CUES
    )
    assert plan.topics[0] == "how_ivig_works"
    rank = table_ranker([("studied", [("faq/ivig_for_which_types", 0.22)])])
    plan = planning.build(
        "She also asks whether IVIG has been studied for it.", rank, types_in, cues=CUES
    )
    assert plan.topics == ["ivig_success"]


def test_one_sentence_about_nothing_in_particular_is_left_to_the_classifiers():
    """ "can i rely on what you say" names no health word, but alone it is no aside: the
    classifiers read it (the held-out set caught the plan taking it for out of scope)."""
    rank = table_ranker([], default=(("inform", 0.2),))
    plan = planning.build("can i rely on what you say", rank, types_in, cues=CUES)
    assert plan.intent is None


def test_a_question_on_a_subject_the_article_lacks_is_declined_whatever_topic_it_sounds_like():
    rank = table_ranker([
        ("iga", [("faq/iga_deficiency", 0.45)]),
        ("fly", [("faq/side_effects", 0.6)]),
    ])  # fmt: skip
    plan = planning.build(
        "What does IgA have to do with IVIG? Totally separate question: is it okay to fly a few "
        "days after an infusion?",
        rank,
        types_in,
        cues=CUES,
    )
    assert [p.kind for p in plan.parts] == ["topic", "not_covered"]
    assert plan.topics == ["iga_deficiency"] and plan.declined_by_rule


@pytest.mark.parametrize(
    "text",
    ["And if the steroids stop working for her?", "I'm about 65 kg, so what would that work out "
     "to for me?", "can your team call in the evening after my shift?", "does ivig work for ibm?"],
)  # fmt: skip
def test_everyday_words_near_a_gap_do_not_make_one(text):
    assert not CUES.names_gap(text)


def test_one_sentence_on_a_gap_is_declined_even_when_the_classifier_names_a_topic():
    rank = table_ranker([("keto", [("faq/causes", 0.5)])])
    plan = planning.build("can eating keto help calm it down", rank, types_in, cues=CUES)
    assert plan.intent == "ask_not_covered"
    assert decide("faq", plan, "can eating keto help calm it down") == "ask_not_covered"
    off_topic = planning.build("book me a flight", table_ranker([]), types_in, cues=CUES)
    assert decide("out_of_scope", off_topic, "book me a flight") is None


def test_a_question_set_apart_from_the_story_is_read_alone():
    rank = table_ranker([
        ("cubs", [("out_of_scope", 0.24), ("faq/when_ivig_used", 0.05)]),
        ("how long", [("faq/ivig_frequency", 0.7)]),
    ], default=(("faq/when_ivig_used", 0.4),))  # fmt: skip
    text = (
        "I've had IVIG every four weeks for polymyositis. My doctor talks about a taper. How "
        "long does a course of IVIG last? Unrelated, but do you know if the Cubs won last night?"
    )
    plan = planning.build(text, rank, types_in, cues=CUES)
    assert [p.kind for p in plan.parts] == ["topic", "out_of_scope"]
    assert plan.topics == ["ivig_frequency"]
    # Read with the story, the aside would borrow its subject; the lead-in keeps it apart.
    rank = table_ranker([
        ("dermatomyositis", [("faq/when_ivig_used", 0.4)]),
        ("italian", [("out_of_scope", 0.2)]),
    ])  # fmt: skip
    text = "My mother has dermatomyositis. On a lighter note, is the Italian place open?"
    assert planning.build(text, rank, types_in, cues=CUES).topics == []


@pytest.mark.parametrize(
    "text",
    ["She's also worried about what side effects IVIG could have for a kid her size.",
     "I'm not sure whether he needs a test first."],
)  # fmt: skip
def test_a_worry_about_what_or_whether_asks(text):
    assert is_asking(text)


def test_a_question_after_its_story_in_the_same_clause_asks():
    found = segments(
        "My doctor wants to try IVIG next, so how much of it would I be getting, and how often "
        "would I have to come in for it?"
    )
    assert [s.asks for s in found] == [True, True]


def test_ivig_for_children_asks_which_types_it_is_used_for_and_about_juvenile_myositis():
    rank = table_ranker([("children", [("faq/when_ivig_used", 0.33)])])
    plan = planning.build(
        "Our son has juvenile dermatomyositis. Do doctors ever use IVIG for children who have it?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.topics == ["ivig_for_which_types", "juvenile_myositis"]


def test_a_weak_topic_that_leads_every_other_label_clearly_is_answered():
    rank = table_ranker([
        ("cost", [("faq/copay_help", 0.8)]),
        ("days and times", [("faq/hours", 0.29), ("out_of_scope", 0.09)]),
    ])  # fmt: skip
    plan = planning.build(
        "Can you help with the cost? What days and times can we reach somebody there?",
        rank,
        types_in,
        cues=CUES,
    )
    assert plan.topics == ["copay_help", "hours"]


def test_how_ivig_would_help_asks_how_it_works_not_for_the_screening():
    rank = table_ranker([("help him", [("check_eligibility", 0.6)])])
    plan = planning.build("How would IVIG help him?", rank, types_in, cues=CUES)
    assert plan.request is None and plan.topics == ["how_ivig_works"]
    assert decide("check_eligibility", plan, "How would IVIG help him?") == "faq"
    could = planning.build("Could IVIG help him?", rank, types_in, cues=CUES)
    assert could.request == "screening"


def test_a_wish_for_an_overview_asks():
    assert is_asking(
        "She'd also like a rundown of the main kinds so she can figure out where he fits."
    )
    assert not is_asking("I would like a break from all of this.")


def test_a_texted_story_that_runs_into_its_question_is_split_there():
    found = segments("my kid is 7 w jdm does ivig work for kids and is it safe")
    assert [s.asks for s in found] == [False, True, True]
    assert found[1].text == "does ivig work for kids"
    assert [s.asks for s in segments("the nurse said it is fine to eat before")] == [False]
    assert len(segments("necrotizing myopathy what is it")) == 1


def test_an_aside_set_apart_is_out_of_scope_even_with_one_of_our_words_in_it():
    rank = table_ranker([
        ("thai", [("out_of_scope", 0.16), ("faq/when_ivig_used", 0.06)]),
        ("achy", [("faq/side_effects", 0.94)]),
    ])  # fmt: skip
    plan = planning.build(
        "Is it normal to feel achy the day after an infusion? Totally unrelated, but do you know "
        "a decent Thai place for after my next appointment?",
        rank,
        types_in,
        cues=CUES,
    )
    assert [p.kind for p in plan.parts] == ["topic", "out_of_scope"]

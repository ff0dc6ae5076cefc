"""The one classifier read as Rasa's intent classifier and FAQ response selector."""

from rasa.shared.nlu.training_data.message import Message

from bot.core.understanding import topics
from bot.core.understanding.topics import TopicClassifier, message_reading
from bot.rasa_server.nlu import classifier
from bot.rasa_server.nlu.classifier import SentenceIntentClassifier, selector_output
from bot.rasa_server.nlu.understanding import MessageUnderstanding

TEXTS = [
    "hello there",
    "hi",
    "good morning",
    "what is ivig",
    "tell me about ivig",
    "what is immunoglobulin",
    "how much ivig is given",
    "what dose of ivig",
    "ivig dose per kg",
    "talk to a person",
    "can a human call me",
    "i want a specialist",
]
LABELS = ["greet"] * 3 + ["faq/what_is_ivig"] * 3 + ["faq/ivig_dose"] * 3 + ["request_human"] * 3


def test_the_faq_topics_add_up_to_the_faq_intent_and_keep_their_own_probability():
    reading = message_reading(
        [("faq/ivig_dose", 0.4), ("greet", 0.3), ("faq/what_is_ivig", 0.2), ("affirm", 0.1)]
    )
    assert abs(reading.intents[0][1] - 0.6) < 1e-9
    assert [name for name, _ in reading.intents] == ["faq", "greet", "affirm"]
    # Not 0.4 / 0.6: a message that is barely a FAQ question gets no confident topic.
    assert reading.topics == [("faq/ivig_dose", 0.4), ("faq/what_is_ivig", 0.2)]


def test_the_selector_output_has_the_shape_rasas_response_selector_gives():
    output = selector_output([("faq/ivig_dose", 0.7), ("faq/what_is_ivig", 0.1)])
    assert output["all_retrieval_intents"] == ["faq"]
    response = output["faq"]["response"]
    assert response["intent_response_key"] == "faq/ivig_dose"
    assert response["confidence"] == 0.7
    assert response["utter_action"] == "utter_faq/ivig_dose"
    assert [r["intent_response_key"] for r in output["faq"]["ranking"]] == [
        "faq/ivig_dose",
        "faq/what_is_ivig",
    ]


def test_the_same_examples_are_fitted_once_per_process(monkeypatch):
    fits = []
    real_fit = TopicClassifier._fit.__func__

    def counting_fit(cls, texts, labels):
        fits.append(len(texts))
        return real_fit(cls, texts, labels)

    monkeypatch.setattr(topics, "_FITTED", {})
    monkeypatch.setattr(TopicClassifier, "_fit", classmethod(counting_fit))
    first = TopicClassifier.fit(TEXTS, LABELS)
    assert TopicClassifier.fit(list(TEXTS), list(LABELS)) is first
    assert TopicClassifier.fit(TEXTS[:-1], LABELS[:-1]) is not first  # other examples: refit
    assert fits == [len(TEXTS), len(TEXTS) - 1]


def test_a_message_gets_an_intent_a_ranking_and_a_faq_topic(monkeypatch):
    monkeypatch.setattr(topics, "_FITTED", {})
    component = SentenceIntentClassifier(None, None, TopicClassifier.fit(TEXTS, LABELS))
    dose, hello = Message(data={"text": "what dose of ivig per kg"}), Message(data={"text": "hi"})
    component.process([dose, hello])
    assert dose.get("intent")["name"] == "faq"
    assert dose.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/ivig_dose"
    )
    assert hello.get("intent")["name"] == "greet"
    ranking = hello.get("intent_ranking")
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6  # all four intents ranked


def test_a_change_to_the_pickled_classes_code_invalidates_rasas_training_cache(monkeypatch):
    """Rasa's cache keys on config and data; a stored classifier built by old code must not be
    reused once the classes it pickles change (it failed every turn with an AttributeError)."""
    before = SentenceIntentClassifier.fingerprint_addon({})
    understanding_before = MessageUnderstanding.fingerprint_addon({})
    real_getsource = classifier.inspect.getsource

    def changed(module):
        source = real_getsource(module)
        return source + "\n# changed" if module is classifier.ngram_model else source

    monkeypatch.setattr(classifier.inspect, "getsource", changed)
    assert SentenceIntentClassifier.fingerprint_addon({}) != before
    assert MessageUnderstanding.fingerprint_addon({}) != understanding_before


def test_texting_shorthand_is_read_spelled_out_as_the_sentence_reader_reads_it():
    from bot.core.understanding.plan import Cues

    cues = Cues.from_data(
        {"requests": {}, "subjects": {}, "shorthand": {"wat": "what", "u": "you"}}
    )
    component = SentenceIntentClassifier(None, None, TopicClassifier.fit(TEXTS, LABELS), cues)
    texted, written = (
        Message(data={"text": "wat dose of ivig do u give"}),
        Message(data={"text": "what dose of ivig do you give"}),
    )
    component.process([texted, written])
    assert texted.get("intent_ranking") == written.get("intent_ranking")
    assert texted.get("text") == "wat dose of ivig do u give"  # the message itself is unchanged

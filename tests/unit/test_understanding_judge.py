"""The judge of the understanding sets (bot/tools/understanding_eval.py) reads a reply as
covering a label by that label's own words in the domain and the answers."""

from bot.tools.understanding_eval import covers


def test_a_topic_is_covered_by_its_answer_and_not_by_another():
    reply = ["IVIG stands for intravenous immunoglobulin. Immunoglobulins are antibodies."]
    assert covers(reply, "what_is_ivig")
    assert not covers(reply, "ivig_dose")


def test_the_handoff_is_under_way_at_the_consent_question_or_after_it():
    consent = ["A specialist from our IVIG team can contact you. To do that, I'll store ..."]
    assert covers(consent, "handoff")
    assert covers(["What name should the specialist ask for?"], "handoff")  # "yes" accepted
    assert not covers(["Our team is available Monday to Friday."], "handoff")

"""After the emergency guidance: the way back, offered only where there is somewhere to go."""

from actions.safety import follow_up_buttons

ASK = {"title": "Ask a question", "payload": "/help"}
CONTINUE = {"title": "Continue the screening", "payload": "/check_eligibility"}


def test_an_unfinished_screening_can_be_continued_or_a_question_asked():
    unfinished = {"for_whom": "self", "diagnosis": "dermatomyositis"}
    assert follow_up_buttons(unfinished) == [CONTINUE, ASK]


def test_without_a_screening_or_after_a_finished_one_only_a_question_is_offered():
    assert follow_up_buttons({}) == [ASK]
    assert follow_up_buttons({"for_whom": "self", "screening_confirmed": True}) == [ASK]

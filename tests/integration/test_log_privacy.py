"""What a person types never leaves personal data in the servers' logs, even at debug level."""

from tests.integration.test_screening_conversations import Chat


def test_phone_email_and_name_stay_out_of_both_servers_logs(stack, sender):
    chat = Chat(stack, sender)
    chat.say("my name is Zelda Quimby, email zelda.quimby@example.com, phone 415-555-0199")
    chat.say("could ivig help me")
    # The contact form takes a bare name and number, which no pattern could recognise.
    for text in ("/request_human", "yes", "Zelda Quimby", "call", "415-555-0199", "morning"):
        chat.say(text)
    logs = {name: (stack.workdir / f"{name}.log").read_text() for name in ("rasa", "actions")}
    assert "parse_data_text" in logs["rasa"]  # debug logging, with message texts, is really on
    for name, text in logs.items():
        for secret in ("Zelda", "Quimby", "zelda.quimby@example.com", "415-555-0199"):
            assert secret not in text, f"{secret} in {name}.log"

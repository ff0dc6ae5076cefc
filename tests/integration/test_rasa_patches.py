"""The Rasa 3.6 patches (bot/rasa_server/rasa_patches.py) change how fast, never what comes out."""

from __future__ import annotations

import pytest
import yaml
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent

from bot import PROJECT_ROOT
from bot.rasa_server import rasa_patches
from bot.tools import modelfile
from tests import aio


def heldout_texts(limit: int = 120) -> list[str]:
    texts: list[str] = []
    for block in yaml.safe_load((PROJECT_ROOT / "tests/nlu/heldout.yml").read_text())["nlu"]:
        texts += [line[2:].strip() for line in block["examples"].splitlines() if line[:2] == "- "]
    return texts[:limit]


def parse_all(agent: Agent, texts: list[str]) -> list[dict]:
    async def parse() -> list[dict]:
        results = []
        for text in texts:
            result = await agent.parse_message(text)
            results.append(
                {
                    "intent": result["intent"],
                    "ranking": result["intent_ranking"],
                    "faq": result.get("response_selector", {}).get("faq", {}).get("response"),
                    "entities": result["entities"],
                }
            )
        return results

    return aio.run(parse())


@pytest.fixture(scope="module")
def model_path():
    path = modelfile.model_path()
    if not path.exists():
        pytest.fail("No trained model: run `make train` (make test does).")
    return str(path)


def test_the_graph_run_without_dask_predicts_exactly_what_rasas_runner_predicts(model_path):
    texts = heldout_texts()
    rasa_patches.uninstall()
    stock = Agent.load(model_path)
    assert not isinstance(stock.processor.graph_runner, rasa_patches.OrderedGraphRunner)
    expected = parse_all(stock, texts)
    rasa_patches.install()
    patched = Agent.load(model_path)
    assert isinstance(patched.processor.graph_runner, rasa_patches.OrderedGraphRunner)
    assert parse_all(patched, texts) == expected


def test_a_valid_action_server_reply_passes_validation():
    rasa_patches.install()
    reply = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
    assert RemoteAction("action_x", None)._validate_action_result(reply)


def test_an_invalid_action_server_reply_is_refused_with_rasas_message():
    rasa_patches.install()
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result({"events": "not a list"})


SAMPLE_VALUES = [None, 0, 1.5, "text", True, [], ["a"], {}, {"a": 1}]


def action_results() -> list[object]:
    """Valid and broken replies: each event type with every property set to every kind of
    value, unknown and missing event names, and broken shapes around the events."""
    schema = RemoteAction.action_response_format_spec()
    results: list[object] = [{}, [], "x", {"events": "x"}, {"responses": {}}, {"events": [1]}]
    results += [{"events": [{}]}, {"events": [{"event": 3}]}, {"events": [{"event": "nope"}]}]
    for branch in schema["properties"]["events"]["items"]["oneOf"]:
        name = branch["properties"]["event"]["const"]
        results.append({"events": [{"event": name}], "responses": [{"text": "hi"}]})
        for key in [*branch["properties"], "timestamp", "metadata"]:
            if key != "event":
                results += [{"events": [{"event": name, key: v}]} for v in SAMPLE_VALUES]
    return results


def test_the_per_event_validator_gives_rasas_verdict_on_every_reply():
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    rasas = validator_for(schema)(schema)
    ours = rasa_patches.EventDispatchValidator(schema)

    def accepted(result: object) -> bool:
        try:
            ours.validate(result)
            return True
        except ValidationError:
            return False

    results = action_results()
    verdicts = [rasas.is_valid(result) for result in results]
    assert len(results) > 500 and 50 < sum(verdicts) < len(results) - 50  # both kinds, many
    assert [accepted(result) for result in results] == verdicts


def test_installing_twice_changes_nothing():
    rasa_patches.install()
    import rasa.core.processor

    runner, validate = rasa.core.processor.DaskGraphRunner, RemoteAction._validate_action_result
    rasa_patches.install()
    assert (rasa.core.processor.DaskGraphRunner, RemoteAction._validate_action_result) == (
        runner,
        validate,
    )


def test_a_json_button_payload_is_sent_as_written_without_logging_slot_values(caplog):
    from rasa.core.nlg import interpolator

    rasa_patches.install()
    slots = {"contact_phone": "+14155550142", "contact_name": "Pat Doe"}
    payload = '/faq{"faq_topic": "what_is_ivig"}'
    with caplog.at_level("DEBUG"):
        assert interpolator.interpolate({"payload": payload}, slots) == {"payload": payload}
    assert not [r for r in caplog.records if r.levelno >= 30]
    assert "4155550142" not in caplog.text and "Pat Doe" not in caplog.text


def test_slot_placeholders_are_still_filled():
    from rasa.core.nlg import interpolator

    rasa_patches.install()
    assert interpolator.interpolate_text("Thanks, {contact_name}.", {"contact_name": "Pat"}) == (
        "Thanks, Pat."
    )
    assert interpolator.interpolate_text("{{kept}}", {}) == "{kept}"

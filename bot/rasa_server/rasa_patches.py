"""Corrections to Rasa 3.6 in the running server: same results, less time, no personal data in logs.

Speed (measured by `make bench`): work Rasa repeats for nothing, done once instead.

1. Every action server reply is checked with `jsonschema.validate`, which first re-checks the
   schema itself against the JSON Schema meta-schema: 45% of the Rasa server's time on a FAQ
   turn (py-spy, 1 user). Here the schema is checked once and its validator reused; replies
   are validated exactly as before, with the same error.
2. Each message runs the model graph through dask, which rebuilds the task graph and its
   schedule per call. Here the order of the graph's nodes is worked out once per set of
   targets and the nodes are called in that order, with the same inputs and outputs.

Privacy: a response whose text or button payload holds braces that name no slot (our buttons
carry entities as JSON, `/faq{"faq_topic": "..."}`) makes Rasa log an ERROR with the stack's
local variables, which include every slot value, contact details too. Here such a placeholder
is left as written, as Rasa does, and logged at debug level by its name only.

Installed when the Rasa server builds the project's tracker or lock store (endpoints.yml),
which happens before it loads the model; `rasa train` and `rasa test` are left as they are.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg import interpolator
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL

logger = logging.getLogger(__name__)


class EventDispatchValidator:
    """Rasa's action-response schema, checked with each event's own schema.

    The schema says an event must match exactly one of 23 event schemas (`oneOf`), each fixing
    `event` to a different constant, so jsonschema tried all 23 on every event: about 15% of the
    Rasa server's time on a FAQ turn. Since the constants differ, an event matches exactly one
    schema when it matches the one named by its `event`, which is all this checks: the same
    verdict, one schema per event (tests/integration/test_rasa_patches.py compares the two).
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        cls = validator_for(schema)
        cls.check_schema(schema)
        items = schema["properties"]["events"]["items"]
        branches = items["oneOf"]
        names = [branch["properties"]["event"]["const"] for branch in branches]
        if len(set(names)) != len(names):  # then oneOf is not a lookup: refuse to stand in
            raise ValueError("event schemas do not each fix a different `event`")
        base_items = {key: value for key, value in items.items() if key != "oneOf"}
        events = {**schema["properties"]["events"], "items": base_items}
        self._base = cls({**schema, "properties": {**schema["properties"], "events": events}})
        self._events = {name: cls(branch) for name, branch in zip(names, branches, strict=True)}

    def validate(self, result: Any) -> None:
        self._base.validate(result)  # shape, and every event an object with a string `event`
        events = result.get("events") if isinstance(result, dict) else None
        for event in events or []:
            name = event["event"]
            if name not in self._events:
                raise ValidationError(f"{name!r} is not one of the events an action may return")
            self._events[name].validate(event)


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> EventDispatchValidator:
    return EventDispatchValidator(RemoteAction.action_response_format_spec())


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _action_result_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


class OrderedGraphRunner(DaskGraphRunner):
    """Runs the graph's nodes in an order computed once per targets, without dask."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders: dict[tuple[str, ...], tuple[GraphSchema, list[str]]] = {}

    def _plan(self, targets: list[str]) -> tuple[GraphSchema, list[str]]:
        key = tuple(targets)
        if key not in self._orders:
            schema = self._graph_schema.minimal_graph_schema(targets)
            order: list[str] = []
            done: set[str] = set()

            def visit(name: str) -> None:
                if name in done or name not in schema.nodes:
                    return
                done.add(name)
                for need in schema.nodes[name].needs.values():
                    visit(need)
                order.append(name)

            for name in schema.nodes:
                visit(name)
            self._orders[key] = (schema, order)
        return self._orders[key]

    def run(
        self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        schema, order = self._plan(list(run_targets))
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in schema.nodes:
                raise GraphRunError(f"Input value '{value}' clashes with a node name.")
            results[name] = (name, value)
        try:
            for name in order:
                needs = schema.nodes[name].needs.values()
                # As with dask, a need that names no node nor input is passed as it is.
                results[name] = self._instantiated_nodes[name](
                    *(results.get(need, need) for need in needs)
                )
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[target] for target in run_targets)


def _interpolate_text(response: str, values: dict[str, Any]) -> str:
    text = re.sub(r"{([^\n{}]+?)}", r"{0[\1]}", response)
    try:
        text = text.format(values)
    except (KeyError, IndexError, ValueError) as e:
        logger.debug(
            "A response placeholder names no slot (%s); sent as written.", type(e).__name__
        )
        return response
    if "0[" in text:  # an escaped {{slot}}: Rasa sends it with the braces unescaped
        return response.format({})
    return text


_originals: dict[str, Any] = {}


SUPPORTED_RASA = "3.6."


def check_rasa_version(version: str | None = None) -> None:
    """Every patch here was written against Rasa 3.6's internals: refuse any other Rasa before
    touching anything, rather than patch the wrong methods silently."""
    import rasa

    found = version or rasa.__version__
    if not found.startswith(SUPPORTED_RASA):
        raise RuntimeError(
            f"rasa_patches.py corrects Rasa {SUPPORTED_RASA}x; this is Rasa {found}. "
            "Check each patch (here, action_failure.py, store_failsafe.py) before upgrading."
        )


def install() -> None:
    """Idempotent; called before the Rasa server loads its model."""
    if _originals:
        return
    check_rasa_version()
    import rasa.core.processor

    _originals.update(
        interpolate=interpolator.interpolate_text,
        validate=RemoteAction._validate_action_result,
        runner=rasa.core.processor.DaskGraphRunner,
    )
    interpolator.interpolate_text = _interpolate_text
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    rasa.core.processor.DaskGraphRunner = OrderedGraphRunner  # type: ignore[misc]
    # Imported here, not at the top: they patch what this module has just checked.
    from bot.rasa_server import action_failure, rewrites, store_failsafe
    from bot.startup import logging_privacy

    logging_privacy.install()  # before anything logs a message text
    action_failure.install()  # safety and failure replies
    store_failsafe.install()  # store failures; message ids
    rewrites.install()  # erasure requests applied by the tracker store


def uninstall() -> None:
    """Rasa as it ships (for tests that compare the two)."""
    if not _originals:
        return
    import rasa.core.processor

    interpolator.interpolate_text = _originals["interpolate"]
    RemoteAction._validate_action_result = _originals["validate"]  # type: ignore[method-assign]
    rasa.core.processor.DaskGraphRunner = _originals["runner"]  # type: ignore[misc]
    _originals.clear()

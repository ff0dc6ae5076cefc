"""Per-message work Rasa 3.6 repeats for nothing, done once instead (measured by `make bench`).

Rasa checks every action server reply with `jsonschema.validate`, which first re-checks the
schema itself against the JSON Schema meta-schema: on a FAQ turn that was 45% of the Rasa
server's time (py-spy, 1 user). Here the schema is checked once and its validator reused;
replies are validated exactly as before, with the same error message.

Installed when the Rasa server builds the project's lock store (`bot.lock_store`), the one
piece of the project every Rasa process of this assistant loads from endpoints.yml.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


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


def install() -> None:
    """Idempotent."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]

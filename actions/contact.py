"""How to reach the pharmacy's IVIG specialists."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.program import hours_text, load_program, phone_text


class ActionContactInfo(Action):
    def name(self) -> str:
        return "action_contact_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        program = load_program()
        dispatcher.utter_message(
            text=(
                f"Our IVIG specialists can help with questions about treatment, insurance, "
                f"copay help and home infusion. They are available {hours_text(program)}. "
                f"You can reach them at {phone_text(program)}."
            )
        )
        return []

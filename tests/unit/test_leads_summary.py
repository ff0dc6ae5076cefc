"""What the specialist reads about a referral (bot/action_server/leads/summary.py)."""

from dataclasses import replace
from datetime import timedelta

from bot.action_server.leads.summary import payload, summary_text
from tests.unit.test_leads_store import db_path, new_lead, store  # noqa: F401 (fixtures)


def test_a_whatsapp_referral_says_until_when_a_free_reply_is_possible(store):  # noqa: F811
    lead, _ = store.create(replace(new_lead(), channel="whatsapp"))
    view = store.get(lead.reference)
    text = summary_text(view)
    assert "WhatsApp: a free-form reply is possible until" in text and "24 hours" in text
    ends = view.created_at + timedelta(hours=24)
    assert payload(view)["reply_window_ends_at"] == ends.isoformat()


def test_other_channels_have_no_reply_window(store):  # noqa: F811
    lead, _ = store.create(new_lead())
    view = store.get(lead.reference)
    assert "WhatsApp" not in summary_text(view)
    assert payload(view)["reply_window_ends_at"] is None

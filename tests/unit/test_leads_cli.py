"""The specialist's command line over a real SQLite file."""

import pytest

from bot.action_server.leads import __main__ as cli
from bot.action_server.leads import service
from tests.unit.test_leads_store import new_lead


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    monkeypatch.delenv("LEADS_WEBHOOK_URL", raising=False)
    monkeypatch.setattr(service, "_store", None)
    return service.store()


def test_list_show_mark_contacted_and_export(store, capsys):
    lead, _ = store.create(new_lead())
    assert cli.main(["list"]) == 0
    assert lead.reference in capsys.readouterr().out
    assert cli.main(["show", lead.reference]) == 0
    shown = capsys.readouterr().out
    assert "Zelda Quimby" in shown and "diagnosis: dermatomyositis" in shown
    assert "Safety flags: iga_not_tested" in shown
    assert cli.main(["mark-contacted", str(lead.id)]) == 0
    assert cli.main(["list", "--status", "contacted"]) == 0
    assert lead.reference in capsys.readouterr().out
    assert cli.main(["export", "--csv"]) == 0
    exported = capsys.readouterr().out.splitlines()
    assert exported[0].startswith("id,reference,status") and "+14155550199" in exported[1]


def test_an_unknown_lead_is_an_error(store, capsys):
    assert cli.main(["show", "L-NOPE"]) == 1


def test_resend_without_a_webhook_keeps_leads_waiting(store, capsys):
    store.create(new_lead())
    assert cli.main(["resend"]) == 0
    assert "still pending 1" in capsys.readouterr().out

"""The Rasa server's start-up refuses what would switch its guarantees off."""

from __future__ import annotations

from bot.rasa_server.__main__ import boot, endpoint_problems


def test_the_projects_endpoints_pass(tmp_path, monkeypatch):
    from bot import PROJECT_ROOT

    assert endpoint_problems(PROJECT_ROOT / "endpoints.yml") == []


def test_rasas_own_tracker_store_is_refused_before_anything_loads(tmp_path, capsys):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n"
        "lock_store:\n  type: bot.rasa_server.lock_store.FairLockStore\n"
    )
    assert boot(["run", "--endpoints", str(endpoints)]) == 2
    assert "tracker_store must be bot.rasa_server.tracker_store.CachedSQLTrackerStore" in (
        capsys.readouterr().err
    )


def test_a_missing_lock_store_is_refused(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: bot.rasa_server.tracker_store.CachedSQLTrackerStore\n"
    )
    assert any("lock_store" in p for p in endpoint_problems(endpoints))

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


def test_start_up_warns_when_the_pharmacys_phone_is_not_set(tmp_path):
    import os
    import subprocess
    import sys

    from bot import PROJECT_ROOT

    env = {**os.environ, "PHARMACY_PHONE": "", "TRACKER_DB_URL": "",
           "TRACKER_DB_NAME": str(tmp_path / "tracker.db"),
           "CHANNEL_KEY_FILE": str(tmp_path / "channel.key")}  # fmt: skip
    code = "from bot.rasa_server.__main__ import boot; raise SystemExit(boot(['run']))"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "PHARMACY_PHONE" in result.stderr
    assert (tmp_path / "tracker.db").exists()  # the channel tables were made at start

"""The agent console's login: a long shared token, signed expiring sessions, a lockout."""

import time

import jwt
import pytest

from bot.rasa_server import agent_auth as auth

TOKEN = "a-long-enough-access-token"
SETTINGS = auth.AuthSettings(TOKEN, auth.derived_secret(TOKEN))


def test_the_console_stays_closed_without_a_long_enough_token():
    closed = auth.AuthSettings("short", auth.derived_secret("short"))
    assert not closed.enabled
    assert not auth.token_matches(closed, "short")
    assert auth.session_agent(closed, auth.issue_session(closed, "Ann")) is None


def test_only_the_exact_token_matches():
    assert auth.token_matches(SETTINGS, "a-long-enough-access-token")
    assert not auth.token_matches(SETTINGS, "a-long-enough-access-token ")
    assert not auth.token_matches(SETTINGS, "")


def test_a_session_names_its_agent_until_it_expires():
    now = time.time()
    token = auth.issue_session(SETTINGS, "Ann <script>", now=now)
    assert auth.session_agent(SETTINGS, token) == "Ann script"
    expired = auth.issue_session(SETTINGS, "Ann", now=now - 9 * 3600)
    assert auth.session_agent(SETTINGS, expired) is None


@pytest.mark.parametrize("claims", [{"aud": "other"}, {"alg": "none"}])
def test_sessions_for_another_audience_or_unsigned_are_refused(claims):
    body = {"sub": "M", "aud": auth.AUDIENCE, "exp": int(time.time()) + 60, **claims}
    if claims.get("alg") == "none":
        token = jwt.encode({k: v for k, v in body.items() if k != "alg"}, None, algorithm="none")
    else:
        token = jwt.encode(body, SETTINGS.jwt_secret, algorithm="HS256")
    assert auth.session_agent(SETTINGS, token) is None


def test_rotating_the_access_token_ends_sessions_signed_with_the_derived_key():
    token = auth.issue_session(SETTINGS, "Ann")
    other = "another-long-access-token"
    rotated = auth.AuthSettings(other, auth.derived_secret(other))
    assert auth.session_agent(rotated, token) is None


def test_failed_logins_lock_a_client_out_for_the_window_only():
    failures = auth.FailedLogins(limit=3, window=60)
    for second in range(3):
        assert not failures.blocked("10.0.0.1", now=second)
        failures.record("10.0.0.1", now=second)
    assert failures.blocked("10.0.0.1", now=10)
    assert not failures.blocked("10.0.0.2", now=10)
    assert not failures.blocked("10.0.0.1", now=63)


def test_a_call_id_belongs_only_to_the_session_it_was_issued_to():
    call = auth.call_id(SETTINGS, "session-one")
    assert auth.call_belongs_to(SETTINGS, "session-one", call)
    assert not auth.call_belongs_to(SETTINGS, "session-two", call)
    assert not auth.call_belongs_to(SETTINGS, "session-one", call[:32] + "0" * 32)
    assert not auth.call_belongs_to(SETTINGS, "session-one", "../" + call[3:])


def test_each_session_has_its_own_id_and_expiry():
    first = auth.session_of(SETTINGS, auth.issue_session(SETTINGS, "Ann"))
    second = auth.session_of(SETTINGS, auth.issue_session(SETTINGS, "Ann"))
    assert first and second and first.id != second.id
    assert first.expires_at > time.time() + 7 * 3600


def test_failed_logins_count_against_a_known_device_apart_from_its_address():
    device = auth.issue_device(SETTINGS)
    known = auth.attempt_key(SETTINGS, device, "10.0.0.1")
    assert known.startswith("device:") and known != auth.attempt_key(SETTINGS, None, "10.0.0.1")
    assert auth.attempt_key(SETTINGS, "forged.device.cookie", "10.0.0.1") == "address:10.0.0.1"
    session = auth.issue_session(SETTINGS, "Ann")  # a session is not a device cookie
    assert auth.attempt_key(SETTINGS, session, "10.0.0.1") == "address:10.0.0.1"

#!/usr/bin/env bash
# Starts the action server and the Rasa server (or a terminal chat with --shell).
# Called by `make run` / `make shell` after install and training; environment from the Makefile.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
MODEL=$($BIN/python -m bot.tools.modelfile path)
# Everything the servers create (the tracker and leads databases with their -wal and -shm
# files, keys, tokens) is readable by this user only.
umask 077
for file in "${TRACKER_DB_NAME:-ivig-tracker.db}"{,-wal,-shm} var/leads.db{,-journal,-wal,-shm}; do
  if [ -f "$file" ]; then chmod 600 "$file"; fi  # made before this rule
done

# A development secret in var/<file>, made once (mode 0600) unless the variable is set.
dev_secret() {
  mkdir -p var
  [ -s "var/$1" ] || $BIN/python -c 'import secrets; print(secrets.token_urlsafe(24))' > "var/$1"
  cat "var/$1"
}

# The agent console stays closed without a token; on a developer's machine make one in var/.
if [ -z "${AGENT_ACCESS_TOKEN:-}" ]; then
  AGENT_ACCESS_TOKEN=$(dev_secret agent-token)
  export AGENT_ACCESS_TOKEN
  AGENT_TOKEN_NOTE="development token in var/agent-token"
else
  AGENT_TOKEN_NOTE="token from AGENT_ACCESS_TOKEN"
fi
# The action server refuses every call without its token; Rasa sends it (endpoints.yml).
if [ -z "${ACTION_SERVER_TOKEN:-}" ]; then
  ACTION_SERVER_TOKEN=$(dev_secret action-token)
  export ACTION_SERVER_TOKEN
fi

$BIN/python -m bot.action_server &
ACTIONS_PID=$!
trap 'kill $ACTIONS_PID 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:${ACTION_SERVER_PORT}/health" >/dev/null 2>&1 && break
  kill -0 $ACTIONS_PID 2>/dev/null || { echo "The action server failed to start." >&2; exit 1; }
  sleep 0.5
done

if [ "${1:-}" = "--shell" ]; then
  $BIN/rasa shell --model "$MODEL" --endpoints endpoints.yml
  exit $?
fi

api_args=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  api_args=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
fi
cat <<MSG

  The assistant is starting on http://${RASA_HOST}:${RASA_PORT} (ready when Rasa logs "Rasa server is up and running").
  Web chat:         http://localhost:${RASA_PORT}/webhooks/chat/
  Agent console:    http://localhost:${RASA_PORT}/webhooks/agent/ (${AGENT_TOKEN_NOTE})
  Chat over REST:   curl -s -XPOST http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook \\
                      -H 'Content-Type: application/json' -d '{"sender": "me", "message": "what is ivig?"}'
  Or in a terminal: make shell
  HTTP API: $([ -n "${RASA_AUTH_TOKEN:-}" ] && echo "enabled, token from RASA_AUTH_TOKEN" || echo "off (set RASA_AUTH_TOKEN to enable it)")

MSG
$BIN/python -m bot.rasa_server run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" "${api_args[@]}"

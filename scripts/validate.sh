#!/usr/bin/env bash
# `rasa data validate`, failing on any warning that is not listed as a known false one in
# tests/known_validate_warnings.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
.venv/bin/rasa data validate --domain domain.yml --data data/nlu data/rules data/stories data/knowledge >"$log" 2>&1
status=$?
warnings=$(grep -oE "UserWarning: .*" "$log" | sed -E 's/^UserWarning: //; s/\x1b\[[0-9;]*m//g; s/[[:space:]]+$//')
patterns=$(grep -vE '^\s*(#|$)' tests/known_validate_warnings.txt)
# Responses that custom actions send (response="utter_...") are used, whatever the validator says.
sent=$(grep -ohE 'response="utter_[a-z_]+"' actions/*.py | sed -E 's/response="(.*)"/\1/' | sort -u)
for name in $sent; do
  patterns+=$'\n'"The utterance '$name' is not used in any story or rule\\.\$"
done
unexpected=$(printf '%s\n' "$warnings" | grep -v '^$' | grep -vEf <(printf '%s\n' "$patterns") || true)
# Multi-line warnings ("Issue found in 'file':" followed by the reason) need their next line.
if grep -q "Issue found in" "$log"; then
  unexpected+=$'\n'$(grep -A1 "Issue found in" "$log" | sed -E 's/\x1b\[[0-9;]*m//g')
fi
if [ $status -ne 0 ] || [ -n "$(printf '%s' "$unexpected" | tr -d '[:space:]')" ]; then
  echo "rasa data validate failed (exit $status). Unexpected warnings:" >&2
  printf '%s\n' "$unexpected" >&2
  tail -n 20 "$log" >&2
  rm -f "$log"; exit 1
fi
echo "rasa data validate: passed ($(printf '%s\n' "$warnings" | grep -vc '^$') known false warnings, see tests/known_validate_warnings.txt)"
rm -f "$log"

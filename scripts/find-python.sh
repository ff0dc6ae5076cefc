#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: Rasa 3.6 runs on 3.10 and not on 3.11.
# Looks at $PYTHON, then python3.10 on PATH, then pyenv; exits 1 with advice otherwise.
set -euo pipefail

is_310() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  while read -r v; do candidates+=("$(pyenv root)/versions/$v/bin/python"); done \
    < <(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.' | sort -rV)
fi
for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*; do [ -x "$d/bin/python" ] && candidates+=("$d/bin/python"); done

for c in "${candidates[@]}"; do
  if is_310 "$c"; then
    # Resolve pyenv shims to the real interpreter so the venv does not depend on the shim.
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done

cat >&2 <<'MSG'
error: Python 3.10 not found. Rasa Open Source 3.6 needs Python 3.10 (it does not run on 3.11).
Install it (for example `pyenv install 3.10.13`, or your system's python3.10 package),
or point PYTHON at it: `make run PYTHON=/path/to/python3.10`.
MSG
exit 1

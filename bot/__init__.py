"""The assistant's own code, split by the process that runs it.

- `bot.core`: the pure core (safety net, understanding, screening, eligibility, knowledge,
  program facts). No Rasa, no web, no database, no environment reads: settings come in as
  arguments. Both servers and the tools use it.
- `bot.rasa_server`: plugins that `rasa run` loads (channels, NLU components, tracker and lock
  stores, patches). It alone owns the tracker database and the channel tables in it.
- `bot.action_server`: the action server (`python -m bot.action_server`) and the lead service.
  It alone owns the leads database and its key.
- `bot.startup`: what each server process runs once at start: settings and log redaction.
- `bot.tools`: command-line tools for developers and CI (training, evaluations, checks).

`.importlinter` holds these lines; `make lint` enforces them.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

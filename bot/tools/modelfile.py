"""Train only when the training inputs changed: the model's name is a hash of its inputs.

`python -m bot.tools.modelfile train` trains into models/ivig-<hash>.tar.gz unless it exists;
`python -m bot.tools.modelfile path` prints that path.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from bot import PROJECT_ROOT

TRAINING_DATA = ["data/nlu", "data/rules", "data/stories", "data/knowledge"]
INPUTS = [
    "config.yml",
    "domain.yml",
    "requirements.lock",
    "data",
    "bot/rasa_server/nlu",
    "bot/core/lexicon.py",
    "bot/core/vocabulary.py",
    "bot/core/safety.py",
    "bot/core/boundaries.py",
    "bot/core/understanding",  # the sentence classifier is stored in the model (pickled)
]
MODELS_DIR = PROJECT_ROOT / "models"
KEEP = 3


def _files(root: Path) -> list[Path]:
    found = []
    for name in INPUTS:
        path = root / name
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        elif path.exists():
            found.append(path)
    return sorted(found)


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in _files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"ivig-{fingerprint(root)}.tar.gz"


def train(root: Path = PROJECT_ROOT) -> Path:
    target = model_path(root)
    if target.exists():
        print(f"Model is up to date: {target.relative_to(root)}")
        return target
    print(f"Training data changed; training {target.relative_to(root)} ...", flush=True)
    started = time.monotonic()
    rasa = Path(sys.executable).with_name("rasa")
    command = [str(rasa), "train", "--config", "config.yml", "--domain", "domain.yml"]
    command += ["--data", *TRAINING_DATA, "--out", "models", "--fixed-model-name", target.name[:-7]]
    log = root / "models" / ".last-train.log"
    with log.open("w") as handle:
        result = subprocess.run(command, cwd=root, stdout=handle, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        print(log.read_text()[-4000:], file=sys.stderr)
        raise SystemExit(f"Training failed (full log: {log.relative_to(root)})")
    print(
        f"Trained in {time.monotonic() - started:.0f} s (log: {log.relative_to(root)})", flush=True
    )
    old = sorted((root / "models").glob("ivig-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for stale in old[:-KEEP]:
        stale.unlink()
    return target


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "path"
    if command == "train":
        train()
    elif command == "path":
        print(model_path())
    elif command == "fingerprint":
        print(fingerprint())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

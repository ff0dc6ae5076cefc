"""One YAML reader for the project's data files, so every module parses them the same way."""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; re-read only when the file changed on disk."""
    return _load_cached(str(path), path.stat().st_mtime_ns)

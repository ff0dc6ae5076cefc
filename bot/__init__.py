"""The IVIG & myositis assistant's own package: everything that is not Rasa glue."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

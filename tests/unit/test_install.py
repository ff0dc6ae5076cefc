"""The install step finds Python 3.10 or says clearly what to do."""

import os
import subprocess
import sys

from bot import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "find-python.sh"


def test_finds_the_interpreter_named_in_PYTHON():  # noqa: N802
    result = subprocess.run(
        ["bash", str(SCRIPT)], env={**os.environ, "PYTHON": sys.executable},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = result.stdout.strip()
    version = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert version.strip() == "(3, 10)"


def test_without_python_310_it_fails_with_advice(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path)}
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Python 3.10 not found" in result.stderr
    assert "make run PYTHON=" in result.stderr


def test_the_lock_file_pins_every_package_exactly():
    lines = (PROJECT_ROOT / "requirements.lock").read_text().splitlines()
    packages = [line for line in lines if line and not line.startswith("#")]
    assert packages and all("==" in line for line in packages)
    names = {line.split("==")[0].lower() for line in packages}
    assert {"rasa", "rasa-sdk", "spacy", "sqlalchemy", "requests", "pytest"} <= names


def test_a_fresh_clone_reuses_the_cached_install():
    """A clone's files are newer than the cache: only the lock's hash may trigger a rebuild."""
    result = subprocess.run(
        ["make", "-n", "-W", "requirements.lock", "-W", "scripts/find-python.sh", "install"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "pip" not in result.stdout

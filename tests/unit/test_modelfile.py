"""Training only when inputs change: the model name hashes config, domain, data and NLU code."""

import shutil

from bot import PROJECT_ROOT
from bot.tools import modelfile


def copy_inputs(tmp_path):
    for name in modelfile.INPUTS:
        source = PROJECT_ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return tmp_path


def test_same_inputs_give_the_same_model_name(tmp_path):
    root = copy_inputs(tmp_path)
    assert modelfile.fingerprint(root) == modelfile.fingerprint(PROJECT_ROOT)


def test_editing_training_data_changes_the_model_name(tmp_path):
    root = copy_inputs(tmp_path)
    before = modelfile.model_path(root)
    (root / "data" / "nlu" / "faq.yml").write_text(
        (root / "data" / "nlu" / "faq.yml").read_text() + "\n"
    )
    assert modelfile.model_path(root) != before


def test_editing_a_lexicon_changes_the_model_name(tmp_path):
    root = copy_inputs(tmp_path)
    before = modelfile.fingerprint(root)
    path = root / "data" / "lexicons" / "medicines.yml"
    path.write_text(path.read_text().replace("imuran", "imuran, azamun"))
    assert modelfile.fingerprint(root) != before


def test_files_outside_the_inputs_do_not_change_the_model_name(tmp_path):
    root = copy_inputs(tmp_path)
    before = modelfile.fingerprint(root)
    (root / "README.md").write_text("docs")
    assert modelfile.fingerprint(root) == before

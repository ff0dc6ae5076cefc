"""The Rasa patches refuse a Rasa they were not written against, before patching anything."""

import pytest

from bot.rasa_server import rasa_patches


def test_another_rasa_is_refused_before_any_patch():
    with pytest.raises(RuntimeError, match=r"this is Rasa 3\.7\.0"):
        rasa_patches.check_rasa_version("3.7.0")


def test_the_rasa_of_the_lock_file_is_accepted():
    rasa_patches.check_rasa_version()  # 3.6.21

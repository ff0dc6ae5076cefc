import itertools

import pytest

from tests.integration.servers import Stack

_senders = itertools.count()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


@pytest.fixture
def sender(request) -> str:
    """A fresh conversation id per test."""
    return f"{request.node.name[:40]}-{next(_senders)}"

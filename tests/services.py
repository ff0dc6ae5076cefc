"""Throwaway PostgreSQL and Redis servers on loopback for integration tests.

The server runs as the `postgres` system user in a temporary directory, listens only on
127.0.0.1 at a free port with trust authentication, and is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*command: str) -> None:
    # No pipes: the server started by pg_ctl would keep them open and block this call.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=120,
    )  # fmt: skip


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields the URL of an empty database on a fresh PostgreSQL server."""
    bin_dir = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / "ensure-postgres.sh")],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    root = Path(tempfile.mkdtemp(prefix="ivig-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    try:
        _as_postgres(f"{bin_dir}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(root / "server.log")
        _as_postgres(f"{bin_dir}/pg_ctl", "-D", str(data), "-o", options, "-l", log, "-w", "start")
        _as_postgres(f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                     "leads")  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/leads"
    finally:
        if (data / "postmaster.pid").exists():
            _as_postgres(f"{bin_dir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    """Yields the URL of a fresh, memory-only Redis server (Debian's, installed when missing)."""
    binary = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / "ensure-debian.sh"), "/usr/bin/redis-server",
         "redis-server"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("Redis did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)

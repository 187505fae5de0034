"""``make run`` (``python -m app.serve``) refuses a port already in use before printing anything."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.serve import port_taken
from tests.conftest import ROOT
from tests.servers import free_port


@contextmanager
def _taken_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def _run(command: list[str], port: int) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"ENFORCEMENT_HOST": "127.0.0.1", "ENFORCEMENT_PORT": str(port)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _refused(result: subprocess.CompletedProcess[str], port: int) -> None:
    assert result.returncode != 0
    assert f"cannot serve on 127.0.0.1:{port}: the port is in use" in result.stderr
    assert f"make run PORT={port + 1}" in result.stderr
    assert "API docs" not in result.stdout and "demo logins" not in result.stdout


def test_a_taken_port_stops_the_server_with_a_clear_message():
    with _taken_port() as port:
        assert port_taken("127.0.0.1", port)
        _refused(_run([sys.executable, "-m", "app.serve"], port), port)


def _virtualenv_ready() -> bool:
    """``make run`` here would serve at once: its virtualenv is built, up to date and this checkout's
    own (a linked one, shared with other checkouts, would be rebuilt for all of them)."""
    venv = ROOT / ".venv"
    if shutil.which("make") is None or venv.is_symlink() or not (venv / "bin" / ".installed").exists():
        return False
    question = ["make", "--question", "--no-print-directory", "-C", str(ROOT), ".venv/bin/.installed"]
    return subprocess.run(question, capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _virtualenv_ready(), reason="needs make and the up-to-date virtualenv it builds")
def test_make_run_checks_the_port_before_migrating_and_seeding():
    with _taken_port() as port:
        result = _run(["make", "--no-print-directory", "run", f"PORT={port}"], port)
    _refused(result, port)
    assert "alembic" not in result.stdout and "seeded" not in result.stdout


def test_a_free_port_passes_the_check_silently():
    port = free_port()
    assert not port_taken("127.0.0.1", port)
    result = _run([sys.executable, "-m", "app.serve", "--check-port"], port)
    assert result.returncode == 0 and result.stdout == ""

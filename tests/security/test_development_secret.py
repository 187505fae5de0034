"""The token signing key and the audit anchor key: never a published one on the network, private ones
for local development; and no demo account with the printed password on the network.

Anyone holding the signing key can sign a token for the administrator, and anyone holding the anchor
key can sign a rewritten audit chain's head, so the placeholders that earlier releases carried in
their source are refused beyond loopback, and a development server without the keys signs with
random ones made on its first run and kept under ``var/``.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.serve import refuse_published_secret
from app.settings import PLACEHOLDER_AUDIT_KEY
from app.settings import PLACEHOLDER_SECRET
from app.settings import Settings
from tests.conftest import ROOT
from tests.servers import free_port


@pytest.fixture
def development_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory like a fresh checkout's: development settings, no secret, no .env."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ENFORCEMENT_JWT_SECRET", raising=False)
    monkeypatch.delenv("ENFORCEMENT_AUDIT_ANCHOR_KEY", raising=False)
    monkeypatch.delenv("ENFORCEMENT_DEMO_PASSWORD", raising=False)
    monkeypatch.setenv("ENFORCEMENT_ENVIRONMENT", "development")
    return tmp_path


def test_development_without_a_secret_signs_with_a_private_random_one(development_checkout):
    first = Settings().jwt_secret
    assert first != PLACEHOLDER_SECRET and len(first) >= 32
    kept = development_checkout / "var" / "jwt-secret"
    assert kept.read_text().strip() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert Settings().jwt_secret == first  # the next run signs with the same key: tokens stay valid


def test_development_without_an_anchor_key_uses_a_private_random_one(development_checkout):
    settings = Settings()
    assert settings.audit_anchor_key != PLACEHOLDER_AUDIT_KEY and len(settings.audit_anchor_key) >= 32
    assert settings.audit_anchor_key != settings.jwt_secret
    kept = development_checkout / "var" / "audit-anchor-key"
    assert kept.read_text().strip() == settings.audit_anchor_key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert Settings().audit_anchor_key == settings.audit_anchor_key  # checkpoints stay verifiable


def test_each_checkout_gets_its_own_development_secret(development_checkout, tmp_path_factory):
    here = Settings().jwt_secret
    os.chdir(tmp_path_factory.mktemp("other-checkout"))
    assert Settings().jwt_secret != here


def test_a_set_secret_is_used_and_nothing_is_written(development_checkout, monkeypatch):
    monkeypatch.setenv("ENFORCEMENT_JWT_SECRET", "s" * 40)
    monkeypatch.setenv("ENFORCEMENT_AUDIT_ANCHOR_KEY", "a" * 40)
    assert Settings().jwt_secret == "s" * 40
    assert Settings().audit_anchor_key == "a" * 40
    assert not (development_checkout / "var").exists()


@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_a_secret_must_be_set(development_checkout, monkeypatch, environment):
    monkeypatch.setenv("ENFORCEMENT_ENVIRONMENT", environment)
    with pytest.raises(ValueError, match="ENFORCEMENT_JWT_SECRET must be set"):
        Settings()
    monkeypatch.setenv("ENFORCEMENT_JWT_SECRET", PLACEHOLDER_SECRET)
    with pytest.raises(ValueError, match="ENFORCEMENT_JWT_SECRET must be set"):
        Settings()
    monkeypatch.setenv("ENFORCEMENT_JWT_SECRET", "s" * 40)
    for anchor_key in ("", PLACEHOLDER_AUDIT_KEY):
        monkeypatch.setenv("ENFORCEMENT_AUDIT_ANCHOR_KEY", anchor_key)
        with pytest.raises(ValueError, match="ENFORCEMENT_AUDIT_ANCHOR_KEY must be set"):
            Settings()


@pytest.mark.parametrize(
    ("host", "refused"),
    [
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("localhost", False),
        ("::1", False),
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.1.20", True),
        ("court-server.local", True),
    ],
)
def test_the_published_placeholders_are_refused_beyond_loopback(host, refused):
    private = {"jwt_secret": "k" * 40, "audit_anchor_key": "a" * 40, "demo_password": "p" * 12}
    published = {
        "ENFORCEMENT_JWT_SECRET": {"jwt_secret": PLACEHOLDER_SECRET},
        "ENFORCEMENT_AUDIT_ANCHOR_KEY": {"audit_anchor_key": PLACEHOLDER_AUDIT_KEY},
        "ENFORCEMENT_DEMO_PASSWORD": {"demo_password": "demo-password"},
    }
    for variable, placeholder in published.items():
        settings = Settings(environment="development", host=host, **(private | placeholder))
        if refused:
            with pytest.raises(SystemExit, match=variable):
                refuse_published_secret(settings)
        else:
            refuse_published_secret(settings)
    refuse_published_secret(Settings(environment="development", host=host, **private))


def test_the_server_does_not_start_on_the_network_with_the_placeholder(development_checkout):
    env = os.environ | {
        "ENFORCEMENT_HOST": "0.0.0.0",
        "ENFORCEMENT_PORT": str(free_port()),
        "ENFORCEMENT_JWT_SECRET": PLACEHOLDER_SECRET,
        "ENFORCEMENT_DATABASE_URL": f"sqlite:///{development_checkout}/var/enforcement.db",
        "PYTHONPATH": str(ROOT),
    }
    try:
        run = subprocess.run(
            [sys.executable, "-m", "app.serve"], env=env, capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the server started on 0.0.0.0 with the published placeholder secret")
    assert run.returncode != 0
    assert "ENFORCEMENT_JWT_SECRET" in run.stderr

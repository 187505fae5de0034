"""Service settings, read from the environment (prefix ``ENFORCEMENT_``).

Every legal number (docs/rules.md) is a default a court may change here; code never buries them.
"""

from __future__ import annotations

import os
import secrets
from datetime import date
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic import model_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

# The signing key earlier releases fell back to: it is in the published source, so anyone could sign an
# administrator's token with it. Refused outside development, and by app.serve beyond loopback.
PLACEHOLDER_SECRET = "change-me-development-only-secret-000000"
# Where a development checkout keeps the random key it signs with when ENFORCEMENT_JWT_SECRET is unset
# (relative to the working directory, like the default SQLite database; var/ is git-ignored).
DEVELOPMENT_SECRET_FILE = Path("var/jwt-secret")
# The audit anchor key earlier releases fell back to, and where a development checkout keeps its own.
PLACEHOLDER_AUDIT_KEY = "change-me-development-only-audit-anchor-key-00"
DEVELOPMENT_AUDIT_KEY_FILE = Path("var/audit-anchor-key")
PUBLISHED_DEMO_PASSWORD = "demo-password"  # printed by `make run` and in README.md


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENFORCEMENT_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/enforcement.db"
    db_pool_size: int = Field(10, ge=1, description="PostgreSQL connections kept per process")
    db_max_overflow: int = Field(10, ge=0)
    sqlite_busy_timeout_ms: int = Field(30_000, ge=0)

    jwt_secret: str = Field("", description="unset in development: a random key kept in var/jwt-secret")
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    token_lifetime_minutes: int = Field(480, ge=1, description="one working day")
    # Login throttling (app.services.login_throttle, docs/operations.md): failed logins counted for one
    # account from one address, for one account from the addresses it is not known at, and for one
    # address over the accounts not known there; the first wait doubles with each further failure.
    login_max_failures: int = Field(5, ge=1)
    login_account_max_failures: int = Field(50, ge=1)
    login_address_max_failures: int = Field(20, ge=1)
    login_lockout_seconds: int = Field(300, ge=1)
    login_lockout_max_seconds: int = Field(3600, ge=1)
    login_failure_window_seconds: int = Field(86_400, ge=1, description="older failures are forgotten")
    login_known_address_days: int = Field(90, ge=1, description="an address is known this long after a login")
    # One at a time per process leaves the other cores to the rest of the work (bench/login_pressure.py).
    login_concurrent_password_checks: int = Field(1, ge=1, description="per process; ~0.3 s of a core each")

    max_body_bytes: int = Field(
        1_048_576, ge=1, description="largest request body; larger is refused with 413"
    )
    # A route that takes more (a batch import, say) names its path: {"/api/v1/…": bytes}, as JSON.
    max_body_bytes_by_path: dict[str, int] = Field(default={}, description="larger limits for named paths")
    max_header_bytes: int = Field(16_384, ge=1024, description="request line and headers, together")
    audit_anchor_key: str = Field(
        "", description="signs the audit chain's head and checkpoints; not the JWT secret"
    )
    audit_checkpoint_dir: Path = Field(
        Path("var/audit-checkpoints"), description="where app.sweep writes the audit chain's checkpoints"
    )

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=1)
    # uvicorn's supervisor kills a worker that does not answer its ping in time; a worker busy with a
    # 1,000-case batch on a saturated machine is slow, not hung, so it gets longer than uvicorn's 5 s.
    worker_healthcheck_seconds: int = Field(30, ge=1, description="time a worker has to answer a ping")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    demo_password: str = PUBLISHED_DEMO_PASSWORD
    idempotency_retention_hours: int = Field(48, ge=24, description="keys kept at least 24 h (API.md)")
    court_timezone: str = Field("Asia/Shanghai", description="the court's local time: what 'today' means")

    # Triage (docs/rules.md#triage)
    triage_rule_set_version: str = "2021-03-plan-v1"
    small_claim_limit: Decimal = Field(Decimal("50000.00"), description="§3(1), §5(2)5: 5万元以下, inclusive")
    # Plan §5(1): the filing division sends the bureau first enforcement (执) and preservation (执保)
    # cases; 执恢 is numbered on restoration and 执异 at the objection desk.
    intake_type_codes: list[str] = Field(default=["执", "执保"], min_length=1)

    # Deadlines (docs/rules.md#deadlines)
    deadline_warning_days: int = Field(7, ge=0, description="'due soon' window on the early-warning board")
    d1_registration_working_days: int = 1  # §5(1): 至迟在1个工作日内
    d2_notice_days: int = 10  # SPC interpretation of the CPL: execution notice within 10 days
    d3_closing_months: int = 6  # SPC time-limit rules: 6 months
    d3_closing_months_administrative: int = 3  # non-litigation administrative cases
    d3_extension_months: int = 3  # president may extend by 3 months
    d3_extension_request_days_before: int = 5  # request at least 5 days before expiry
    d3_max_extensions: int = Field(1, ge=0, description="approved extensions a D3 clock may take")
    d4_termination_min_months: int = 3  # SPC 终本 rules 2016: more than 3 months after filing
    d5_objection_ruling_days: int = 15  # CPL: objection to an enforcement act, 15 days
    d6_outsider_objection_ruling_days: int = 15  # CPL: case-outsider objection, 15 days
    d7_reconsideration_window_days: int = 10  # CPL: 10 days to apply for reconsideration
    d8_reconsideration_transfer_days: int = 5  # SPC objection rules: file to the higher court in 5 days
    d9_petition_registration_working_days: int = 5  # SPC petition rules 2021
    d10_petition_closing_days: int = 30  # SPC petition rules 2021
    d11_dishonest_deletion_working_days: int = 3  # SPC dishonest-list rules
    d12_reminder_days_before: int = 30
    d12_bank_deposit_freeze_years: int = 1  # SPC interpretation of the CPL: deposits 1 year
    d12_movable_seal_years: int = 2  # movables 2 years
    d12_real_estate_seal_years: int = 3  # real estate 3 years
    d12_other_property_years: int = 3  # other property rights (securities, equity) 3 years
    d13_disposal_return_days: int = 90  # local practice (court setting)
    jurisdiction_objection_days: int = 10  # CPL: within 10 days of the execution notice
    objection_docketing_days: int = 3  # D15, SPC objection rules 2015 art. 2
    party_change_ruling_days: int = 60  # D16, SPC rules on adding and changing parties 2016 art. 28
    outsider_upheld_suit_window_days: int = 15  # D17, CPL (2023) art. 238: the applicant's suit
    # Plan §5(6): the materials the comprehensive group checks before a 拒执 case goes to the criminal
    # division; a court adds its own items (JSON list in ENFORCEMENT_REFUSAL_REFERRAL_CHECKLIST).
    refusal_referral_checklist: list[str] = Field(
        default=[
            "evidence_of_ability_to_perform",
            "evidence_of_refusal",
            "documents_served",
            "warnings_given",
        ],
        min_length=1,
        description="material items a refusal-to-execute referral must contain",
    )
    deferral_max_months: int = 3  # 暂缓执行 ≤ 3 months
    # Closing modes that end the court's hold on the property: refused while an asset is still frozen,
    # sealed or seized (SPC provisions on seizure, sealing and freezing 2020 art. 28: released on
    # performance, settlement or withdrawal). 终本 keeps them (the pool still holds the property).
    closure_modes_needing_release: list[str] = ["performed", "settled", "withdrawn"]
    dishonest_term_years: int = 2  # SPC dishonest-list rules: 2 years by default
    termination_recheck_months: int = 6  # 终本 pool: re-check every 6 months
    termination_pool_years: int = 5  # for 5 years
    # SPC dishonest-list rules art. 10(4): re-checks in a row that found nothing before deletion is offered.
    termination_empty_rechecks_for_deletion: int = Field(2, ge=1)
    calendar_first_year: int = Field(1990, description="earliest year a working calendar may be loaded for")
    calendar_last_year: int = Field(2100, description="latest year a working calendar may be loaded for")
    sweep_batch_size: int = Field(500, ge=1, description="deadlines the sweep marks per transaction")
    # Team work (plan §4, §5(3)–(5))
    dishonest_extra_years_max: int = 3  # SPC dishonest-list rules art. 2: serious cases 1–3 years more
    # SPC dishonest-list rules art. 2: a fixed term applies to grounds (2)–(6) of art. 1 only; a
    # respondent able to pay who refuses stays listed until deleted for another reason.
    dishonest_untermed_grounds: list[str] = ["able_but_refuses"]
    # CPL (2023) art. 119: fines and detention need the president's approval; SPC consumption-restriction
    # rules (2015) art. 5: the 限制消费令 is signed by the president. Plan §4: the director reviews first.
    president_approved_measures: list[str] = ["fine", "judicial_detention", "consumption_ban"]
    fine_max_individual: Decimal = Decimal("100000.00")  # CPL (2023) art. 118: individuals ≤ 100,000
    fine_min_organisation: Decimal = Decimal("50000.00")  # units: 50,000 …
    fine_max_organisation: Decimal = Decimal("1000000.00")  # … to 1,000,000
    detention_max_days: int = 15  # CPL (2023) art. 118: detention ≤ 15 days
    # Case money (plan §6(5)). State Council Measures on the Payment of Litigation Costs art. 14(1):
    # the execution application fee is 50 yuan up to 10,000, then a share of each part above; a case with
    # no amount pays a fixed fee between 50 and 500 yuan that the court sets.
    execution_fee_flat: Decimal = Decimal("50.00")
    execution_fee_flat_up_to: Decimal = Decimal("10000.00")
    execution_fee_bands: list[tuple[Decimal | None, Decimal]] = Field(
        default=[
            (Decimal("500000.00"), Decimal("0.015")),
            (Decimal("5000000.00"), Decimal("0.01")),
            (Decimal("10000000.00"), Decimal("0.005")),
            (None, Decimal("0.001")),
        ],
        description="[up_to, rate] of each part above the flat fee's amount; null: the rest",
    )
    execution_fee_without_amount: Decimal = Field(Decimal("50.00"), ge=50, le=500)
    # Art. 14(2)(1): preservation 30 yuan up to 1,000, 1% of the part to 100,000, 0.5% above, at most 5,000.
    preservation_fee_flat: Decimal = Decimal("30.00")
    preservation_fee_flat_up_to: Decimal = Decimal("1000.00")
    preservation_fee_bands: list[tuple[Decimal | None, Decimal]] = Field(
        default=[(Decimal("100000.00"), Decimal("0.01")), (None, Decimal("0.005"))]
    )
    preservation_fee_cap: Decimal = Decimal("5000.00")
    # Type codes of preservation cases (执保), which pay the preservation fee instead.
    preservation_type_codes: list[str] = ["执保"]
    # Local approval rule: below this a deputy director approves a payout, from it the director.
    payout_director_from: Decimal = Decimal("100000.00")
    # plan §6(5) and the SPC provisions on enforcement money (2017): unclaimed money is claimed to
    # its case within 3 working days (a court setting), and money received is paid out within 30 days.
    unclaimed_receipt_working_days: int = Field(3, ge=1)  # D18
    payout_days: int = Field(30, ge=1)  # D19

    # The event feed and its relay (docs/events.md)
    event_retention_days: int = Field(30, ge=1, description="events kept at least this long, then pruned")
    events_stream_seconds: float = Field(
        300, gt=0, description="an SSE stream ends after this; clients resume"
    )
    events_poll_seconds: float = Field(1.0, gt=0, description="how often a stream or relay looks for events")
    event_court: str = Field(
        "court", pattern=r"^[A-Za-z0-9_-]{1,32}$", description="<court> in NATS subjects"
    )
    nats_url: str | None = Field(None, description="NATS with JetStream; unset: the relay publishes nowhere")
    # The service's own addresses (base URLs): a webhook pointing at one of them is refused.
    service_urls: list[str] = Field(default=[], description="e.g. https://enforcement.court.example")
    webhook_timeout_seconds: float = Field(10, gt=0, description="a receiver answering later is cut off")
    webhook_retry_hours: float = Field(24, gt=0, description="retries stop this long after the first attempt")
    webhook_backoff_base_seconds: float = Field(
        30, gt=0, description="the first retry's delay, doubled after"
    )
    webhook_backoff_max_seconds: float = Field(6 * 3600, gt=0, description="the longest delay between tries")
    webhook_failing_after: int = Field(5, ge=1, description="failed attempts in a row that mark it failing")
    relay_batch_size: int = Field(100, ge=1, description="deliveries a relay claims at once")
    relay_concurrency: int = Field(
        16, ge=1, description="requests a relay has open at once, to all receivers"
    )
    relay_claim_margin_seconds: float = Field(
        30, gt=0, description="a claimed delivery is free again this long after the receiver's timeout"
    )

    @model_validator(mode="after")
    def _signing_key(self) -> Settings:
        self.jwt_secret = self._key(
            "ENFORCEMENT_JWT_SECRET", self.jwt_secret, PLACEHOLDER_SECRET, DEVELOPMENT_SECRET_FILE
        )
        self.audit_anchor_key = self._key(
            "ENFORCEMENT_AUDIT_ANCHOR_KEY",
            self.audit_anchor_key,
            PLACEHOLDER_AUDIT_KEY,
            DEVELOPMENT_AUDIT_KEY_FILE,
        )
        if self.audit_anchor_key == self.jwt_secret:
            raise ValueError("ENFORCEMENT_AUDIT_ANCHOR_KEY must differ from ENFORCEMENT_JWT_SECRET")
        return self

    def _key(self, variable: str, value: str, placeholder: str, development_file: Path) -> str:
        """A key of at least 32 characters: set (and not the placeholder) outside development; in
        development, when unset, this checkout's own."""
        if self.environment != "development" and value in ("", placeholder):
            raise ValueError(f"{variable} must be set outside development")
        if not value:
            value = development_secret(development_file)
        if len(value) < 32:
            raise ValueError(f"{variable} must be at least 32 characters")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def development_secret(path: Path) -> str:
    """This checkout's signing key: random, made on first use, readable by its owner only. Several
    processes starting at once agree on one key: the first file linked into place wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()


def court_today() -> date:
    """Today's date at the court: legal dates such as ``filed_on`` may not be later than this."""
    return datetime.now(ZoneInfo(get_settings().court_timezone)).date()

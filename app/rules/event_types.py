"""The public events announced for audited changes, and what a receiver can check (docs/events.md).

Pure values in, values out: which event types an audit action announces, the payload an event may
share, the webhook signature, the retry schedule and the subscription URLs refused.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from app.logging import mask_id_numbers

# Audit action → the public event types it announces; an action not listed announces nothing (its
# change is internal: a clock recomputed, a calendar loaded). The table in docs/events.md is this one.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "case.filed": ("case.filed",),
    "case.register": ("case.registered",),
    "case.investigation": ("case.investigated",),
    # Plan §5(2): triage (繁简分流) and allocation to a team are one decision, announced as two facts.
    "case.triage": ("case.triaged", "case.allocated"),
    "case.handback": ("case.handed_back",),
    "case.close": ("case.closed",),
    "case.restore": ("case.restored",),
    "asset.record": ("asset.recorded",),
    "asset.renewal": ("asset.renewed",),
    "asset.release": ("asset.released",),
    "measure.record": ("measure.recorded",),
    "measure.review": ("measure.reviewed",),
    "measure.approve": ("measure.approved",),
    "deadline.breach": ("deadline.breached",),
    "deadline.elapse": ("deadline.elapsed",),
    "deadline.request_extension": ("deadline.extension_requested",),
    "deadline.review_extension": ("deadline.extension_reviewed",),
    "deadline.extend": ("deadline.extended",),
    "disposal.request": ("transfer.requested",),
    "disposal.approve": ("transfer.approved",),
    "disposal.refuse": ("transfer.refused",),
    "disposal.task": ("transfer.task_recorded",),
    "disposal.return": ("transfer.returned",),
    "disposal.withdraw": ("transfer.withdrawn",),
    "dishonest.propose": ("dishonest.proposed",),
    "dishonest.approve": ("dishonest.listed",),
    "dishonest.refuse": ("dishonest.refused",),
    "dishonest.deletion_trigger": ("dishonest.deletion_due",),
    "dishonest.delete": ("dishonest.deleted",),
    "dishonest.withdraw": ("dishonest.withdrawn",),
    "termination_pool.recheck": ("termination_pool.rechecked",),
    "objection.received": ("objection.received",),
    "objection.not_accepted": ("objection.not_accepted",),
    "objection.docketed": ("objection.docketed",),
    "objection.hearing_recorded": ("objection.hearing_recorded",),
    "objection.ruled": ("objection.ruled",),
    "objection.ruling_served": ("objection.ruling_served",),
    "objection.reconsideration_applied": ("objection.reconsideration_applied",),
    "objection.transferred": ("objection.transferred",),
    "petition.received": ("petition.received",),
    "petition.registered": ("petition.registered",),
    "petition.routed": ("petition.routed",),
    "petition.urged": ("petition.urged",),
    "petition.supervised": ("petition.supervised",),
    "petition.replied": ("petition.replied",),
    "petition.resolved": ("petition.resolved",),
    "petition.closed": ("petition.closed",),
    "refusal_referral.submitted": ("referral.submitted",),
    "refusal_referral.supplemented": ("referral.supplemented",),
    "refusal_referral.liaised": ("referral.liaised",),
    "refusal_referral.reviewed_complete": ("referral.accepted_for_transfer",),
    "refusal_referral.reviewed_returned": ("referral.returned",),
    "refusal_referral.police_transferred": ("referral.police_transferred",),
    "refusal_referral.outcome_accepted": ("referral.outcome_recorded",),
    "refusal_referral.outcome_declined": ("referral.outcome_recorded",),
    "refusal_referral.outcome_prosecuted": ("referral.outcome_recorded",),
    "refusal_referral.outcome_judged": ("referral.outcome_recorded",),
    # Case money (plan §6(5)): what reaches a case's ledger, and the payouts from it.
    "ledger.receipt": ("money.received",),
    "ledger.payout": ("money.paid_out",),
    "ledger.reversal": ("money.reversed",),
    "receipt.record": ("receipt.recorded",),
    "receipt.claim": ("receipt.claimed",),
    "payout.request": ("payout.requested",),
    "payout.approve": ("payout.approved",),
    "payout.refuse": ("payout.refused",),
    "payout.execute": ("payout.executed",),
    "payout_deferral.request": ("payout.deferral_requested",),
    "payout_deferral.approve": ("payout.deferred",),
    "payout_deferral.refuse": ("payout.deferral_refused",),
    "payout_deferral.lift": ("payout.deferral_lifted",),
}
PAYMENT_RECEIVED = "payment.received"
ALL_EVENT_TYPES: frozenset[str] = frozenset(t for types in EVENT_TYPES.values() for t in types) | {
    PAYMENT_RECEIVED
}


def event_types(action: str, after: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The event types an audit entry announces (none for an internal change)."""
    types = EVENT_TYPES.get(action, ())
    if action == "measure.record" and (after or {}).get("kind") == "payment_received":
        types += (PAYMENT_RECEIVED,)  # 被执行人履行款项: money received on the case
    return types


def wanted(event_type: str, types: Sequence[str]) -> bool:
    """Whether a subscription to ``types`` (exact types or families such as ``case.*``; none: all)
    wants an event of ``event_type``."""
    family = event_type.partition(".")[0] + ".*"
    return not types or event_type in types or family in types


# PIPL art. 28: parties' names and identity numbers stay inside the service; a receiver that needs
# them reads the case with its own permissions.
PRIVATE_FIELDS = frozenset({"applicants", "respondents", "parties", "name", "id_number", "id_numbers"})


def shareable(value: Any) -> Any:
    """``value`` without the private fields, and with any ID number in text masked (110105********X)."""
    if isinstance(value, dict):
        return {k: shareable(v) for k, v in value.items() if k not in PRIVATE_FIELDS}
    if isinstance(value, list):
        return [shareable(v) for v in value]
    if isinstance(value, str):
        return mask_id_numbers(value)
    return value


SIGNATURE_HEADER = "Enforcement-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_valid(secret: str, header: str, body: bytes, *, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver checks: a v1 MAC of this body at the header's time, and a time close to now."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    timestamp = int(parts["t"])
    expected = signature(secret, timestamp, body).rpartition("v1=")[2]
    return abs(now - timestamp) <= tolerance_s and hmac.compare_digest(expected, parts["v1"])


def retry_delay(attempts: int, *, base: timedelta, cap: timedelta, jitter: float) -> timedelta:
    """Exponential backoff after ``attempts`` failed attempts: base·2^(n−1), at most ``cap``, scaled by
    ``jitter`` (a draw in [0.5, 1]) so that receivers coming back are not hit by every relay at once."""
    exponent = min(max(attempts - 1, 0), 30)
    delay: timedelta = min(base * (2**exponent), cap) * jitter
    return delay


def url_problem(url: str, *, own_addresses: frozenset[tuple[str, int]]) -> str | None:
    """Why a subscription URL is refused, or None: http(s) only, with a host, and not the service itself
    (``own_addresses``: the (host, port) pairs it answers on), which would feed events back to it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http or https URL"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "must name a host"
    if parts.username or parts.password:
        return "may not carry credentials; the signature authenticates the sender"
    port = port or (443 if parts.scheme == "https" else 80)
    local_ports = {p for h, p in own_addresses if _is_local(h)}
    if (host, port) in own_addresses or (_is_local(host) and port in local_ports):
        return "points at this service itself"
    return None


def _is_local(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified

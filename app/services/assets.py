"""Assets found by the property investigation (财产查控) and the measures on them.

Investigation goes on during enforcement (plan §5(1), §5(3)), so an asset can be recorded at any
time from filing until the case is closed: by the comprehensive group, and by the handling team
once the case is allocated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import AssetControlAction
from app.enums import AssetKind
from app.enums import AssetStatus
from app.errors import Conflict
from app.errors import InvalidInput
from app.errors import NotFound
from app.models.base import utcnow
from app.models.case import Asset
from app.models.case import AssetControlStep
from app.models.case import Case
from app.models.user import User
from app.rules.deadline_rules import asset_expiry
from app.services import audit
from app.services import deadline_events
from app.services.case_access import case_for_action
from app.services.case_queries import case_records
from app.services.workflow import check_legal_date
from app.settings import court_today
from app.settings import get_settings

CONTROLLED = frozenset({AssetStatus.frozen, AssetStatus.sealed, AssetStatus.seized})


def record_asset(
    session: Session,
    *,
    case_id: int,
    user: User,
    kind: AssetKind,
    value: Decimal,
    status: AssetStatus,
    disposable: bool,
    description: str | None,
    controlled_on: date | None,
) -> Asset:
    """Record one asset; a frozen, sealed or seized one starts its renewal clock (D12)."""
    case = case_for_action(session, user, case_id, "record_asset")
    # SPC interpretation of the CPL: a freeze or seal runs from its date (renewal clock D12).
    if status != AssetStatus.found and controlled_on is None:
        raise InvalidInput("controlled_on", f"the date the asset was {status} is required")
    if status == AssetStatus.found and controlled_on is not None:
        raise InvalidInput("controlled_on", "only a frozen, sealed or seized asset has a controlled_on date")
    if controlled_on is not None and controlled_on > court_today():
        raise InvalidInput("controlled_on", f"{controlled_on.isoformat()} is after today")
    recorded = {
        "kind": kind,
        "value": value,
        "status": status,
        "disposable": disposable,
        "controlled_on": controlled_on,
        "description": description,
    }
    asset = Asset(
        case_id=case.id,
        **recorded,
        expires_on=None if controlled_on is None else asset_expiry(kind, controlled_on, get_settings()),
        recorded_by_id=user.id,
    )
    session.add(asset)
    # The case as read (GET /cases/{id}) lists its assets: a new version, so ETags and If-Match see it.
    case.updated_at = utcnow()
    session.flush()
    if controlled_on is not None:
        # SPC interpretation of the CPL: freezes and seals lapse unless renewed (D12 reminder).
        params = {"kind": str(kind), "expires_on": asset.expires_on}
        deadline_events.record_event_for(session, asset, "asset.controlled", on=controlled_on, params=params)
    audit.record_for(session, user, asset, "asset.record", after=recorded)
    return asset


def list_assets(
    session: Session, *, case_id: int, user: User, limit: int, cursor: str | None
) -> tuple[list[Asset], str | None]:
    """The case's assets in the order recorded, for a caller who may see the case."""
    return case_records(session, Asset, case_id=case_id, user=user, limit=limit, cursor=cursor)


@dataclass(frozen=True, slots=True)
class ControlStep:
    """A renewal (续冻/续封) or release (解除) as the team reports it, with its document."""

    action: AssetControlAction
    on: date
    document_number: str
    expires_on: date | None = None  # a renewal's new expiry; by default the previous one plus the term


# What each step tells the clocks: a renewal meets D12 and starts the next term, a release ends it.
STEP_EVENTS = {AssetControlAction.renewal: "asset.renewed", AssetControlAction.release: "asset.released"}


def control_asset(session: Session, *, case_id: int, asset_id: int, user: User, step: ControlStep) -> Asset:
    """Renew or release a freeze or seal: recorded with its document, audited, and reported to D12."""
    case = case_for_action(session, user, case_id, "control_asset")
    asset = session.get(Asset, asset_id, with_for_update=True)
    if asset is None or asset.case_id != case.id:
        raise NotFound(f"asset {asset_id} not found on case {case.case_number}")
    if asset.status not in CONTROLLED or asset.released_on is not None or asset.controlled_on is None:
        raise Conflict(f"asset {asset_id} is not frozen, sealed or seized")
    field = "renewed_on" if step.action == AssetControlAction.renewal else "released_on"
    check_legal_date(
        field, step.on, not_before=asset.controlled_on, not_before_what=f"the asset was {asset.status}"
    )
    # Recorded before expiries were kept: the term of its kind from the day it was controlled.
    previous = asset.expires_on or asset_expiry(asset.kind, asset.controlled_on, get_settings())
    before = {"expires_on": previous, "released_on": None}
    if step.action == AssetControlAction.renewal:
        asset.expires_on = _renewed_expiry(asset, previous=previous, step=step)
    else:
        asset.expires_on, asset.released_on = previous, step.on
    row = AssetControlStep(
        asset_id=asset.id,
        case_id=case.id,
        action=step.action,
        taken_on=step.on,
        document_number=step.document_number,
        expires_on=asset.expires_on if step.action == AssetControlAction.renewal else None,
        recorded_by_id=user.id,
    )
    session.add(row)
    case.updated_at = utcnow()
    session.flush()
    after = {
        "on": step.on,
        "document_number": step.document_number,
        "expires_on": asset.expires_on,
        "released_on": asset.released_on,
    }
    audit.record_for(session, user, asset, f"asset.{step.action}", before=before, after=after)
    params = {"kind": str(asset.kind), "expires_on": asset.expires_on, "step": row.id}
    deadline_events.record_event_for(session, asset, STEP_EVENTS[step.action], on=step.on, params=params)
    return asset


def renew_control(
    session: Session,
    *,
    case_id: int,
    asset_id: int,
    user: User,
    renewed_on: date,
    document_number: str,
    expires_on: date | None = None,
) -> Asset:
    """A renewal (续冻/续封) with its document and, when given, its new expiry."""
    step = ControlStep(AssetControlAction.renewal, renewed_on, document_number, expires_on)
    return control_asset(session, case_id=case_id, asset_id=asset_id, user=user, step=step)


def release_control(
    session: Session, *, case_id: int, asset_id: int, user: User, released_on: date, document_number: str
) -> Asset:
    """A release (解除冻结/解除查封) with its document."""
    step = ControlStep(AssetControlAction.release, released_on, document_number)
    return control_asset(session, case_id=case_id, asset_id=asset_id, user=user, step=step)


def _renewed_expiry(asset: Asset, *, previous: date, step: ControlStep) -> date:
    # SPC interpretation of the CPL (2022) art. 485: a renewal must be made before the term lapses.
    if step.on > previous:
        raise Conflict(f"the {asset.status} of asset {asset.id} lapsed on {previous.isoformat()}")
    # Art. 485: a renewal runs at most the term of its kind, counted from where the last term ends;
    # by default it runs that whole term.
    longest = asset_expiry(asset.kind, previous, get_settings())
    new_expiry = step.expires_on or longest
    if new_expiry <= previous:
        raise InvalidInput("expires_on", f"the new expiry must be after {previous.isoformat()}")
    if new_expiry > longest:
        raise InvalidInput(
            "expires_on", f"a renewal lasts at most the term of a {asset.kind} (until {longest.isoformat()})"
        )
    return new_expiry


def check_asset_of_case(session: Session, case: Case, asset_id: int, *, field: str = "asset_id") -> Asset:
    """The asset ``asset_id`` named in a request about ``case``; 422 on ``field`` when it is another's."""
    asset = session.get(Asset, asset_id)
    if asset is None or asset.case_id != case.id:
        raise InvalidInput(field, f"asset {asset_id} is not an asset of case {case.case_number}")
    return asset


def assets_still_controlled(session: Session, case_id: int) -> list[int]:
    """The ids of the case's assets still frozen, sealed or seized (not released)."""
    return list(
        session.scalars(
            select(Asset.id)
            .where(
                Asset.case_id == case_id,
                Asset.status.in_(sorted(CONTROLLED)),
                Asset.released_on.is_(None),
            )
            .order_by(Asset.id)
        )
    )

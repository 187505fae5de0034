"""Assets found by the property investigation (财产查控) and the measures on them.

Investigation goes on during enforcement (plan §5(1), §5(3)), so an asset can be recorded at any
time from filing until the case is closed: by the comprehensive group, and by the handling team
once the case is allocated.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import AssetControlAction, AssetKind, AssetStatus
from app.errors import Conflict, InvalidInput, NotFound
from app.models.base import utcnow
from app.models.case import Asset, AssetControlStep, Case
from app.models.user import User
from app.rules.deadline_rules import asset_expiry
from app.services import audit, deadline_events
from app.services.case_access import case_for_action, load_case
from app.services.paging import keyset_page
from app.settings import court_today, get_settings

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
    asset = Asset(
        case_id=case.id,
        kind=kind,
        value=value,
        status=status,
        disposable=disposable,
        description=description,
        controlled_on=controlled_on,
        expires_on=None if controlled_on is None else asset_expiry(kind, controlled_on, get_settings()),
        recorded_by_id=user.id,
    )
    session.add(asset)
    # The case as read (GET /cases/{id}) lists its assets: a new version, so ETags and If-Match see it.
    case.updated_at = utcnow()
    session.flush()
    if controlled_on is not None:
        # SPC interpretation of the CPL: freezes and seals lapse unless renewed (D12 reminder).
        deadline_events.record_event(
            session,
            event="asset.controlled",
            on=controlled_on,
            case_id=case.id,
            subject_type="asset",
            subject_id=asset.id,
            params={"kind": str(kind), "expires_on": asset.expires_on},
        )
    audit.record(
        session,
        actor=user,
        action="asset.record",
        entity_type="asset",
        entity_id=asset.id,
        case_id=case.id,
        after={
            "kind": kind,
            "value": value,
            "status": status,
            "disposable": disposable,
            "controlled_on": controlled_on,
            "description": description,
        },
    )
    return asset


def list_assets(
    session: Session, *, case_id: int, user: User, limit: int, cursor: str | None
) -> tuple[list[Asset], str | None]:
    """The case's assets in the order recorded, for a caller who may see the case."""
    load_case(session, case_id, user)
    return keyset_page(
        session,
        select(Asset).where(Asset.case_id == case_id),
        Asset.id,
        cursor=cursor,
        limit=limit,
        newest_first=False,
    )


def _controlled_asset(session: Session, *, case_id: int, asset_id: int, user: User) -> tuple[Case, Asset]:
    case = case_for_action(session, user, case_id, "control_asset")
    asset = session.get(Asset, asset_id, with_for_update=True)
    if asset is None or asset.case_id != case.id:
        raise NotFound(f"asset {asset_id} not found on case {case.case_number}")
    if asset.status not in CONTROLLED or asset.released_on is not None or asset.controlled_on is None:
        raise Conflict(f"asset {asset_id} is not frozen, sealed or seized")
    if asset.expires_on is None:  # recorded before expiries were kept
        asset.expires_on = asset_expiry(asset.kind, asset.controlled_on, get_settings())
    return case, asset


def _check_step_date(asset: Asset, on: date, field: str) -> None:
    if asset.controlled_on is not None and on < asset.controlled_on:
        raise InvalidInput(field, f"{on.isoformat()} is before the asset was {asset.status}")
    if on > court_today():
        raise InvalidInput(field, f"{on.isoformat()} is after today")


def renew_control(
    session: Session,
    *,
    case_id: int,
    asset_id: int,
    user: User,
    renewed_on: date,
    document_number: str,
    expires_on: date | None,
) -> Asset:
    """Renew a freeze or seal (续冻/续封): a new expiry restarts its renewal clock (D12)."""
    case, asset = _controlled_asset(session, case_id=case_id, asset_id=asset_id, user=user)
    _check_step_date(asset, renewed_on, "renewed_on")
    previous = asset.expires_on or renewed_on
    # SPC interpretation of the CPL (2022) art. 485: a renewal must be made before the term lapses.
    if renewed_on > previous:
        raise Conflict(f"the {asset.status} of asset {asset.id} lapsed on {previous.isoformat()}")
    # By default a renewal runs another full term of the asset's kind from the previous expiry.
    new_expiry = expires_on or asset_expiry(asset.kind, previous, get_settings())
    if new_expiry <= previous:
        raise InvalidInput("expires_on", f"the new expiry must be after {previous.isoformat()}")
    # Art. 485: a renewal runs at most the term of its kind, counted from where the last term ends.
    longest = asset_expiry(asset.kind, previous, get_settings())
    if new_expiry > longest:
        raise InvalidInput(
            "expires_on", f"a renewal lasts at most the term of a {asset.kind} (until {longest.isoformat()})"
        )
    asset.expires_on = new_expiry
    step = _record_step(
        session,
        case=case,
        asset=asset,
        user=user,
        action=AssetControlAction.renewal,
        on=renewed_on,
        document_number=document_number,
        before={"expires_on": previous},
    )
    deadline_events.record_event(
        session,
        event="asset.renewed",
        on=renewed_on,
        case_id=case.id,
        subject_type="asset",
        subject_id=asset.id,
        params={"kind": str(asset.kind), "expires_on": new_expiry, "step": step.id},
    )
    return asset


def release_control(
    session: Session, *, case_id: int, asset_id: int, user: User, released_on: date, document_number: str
) -> Asset:
    """Release a freeze or seal (解除): its renewal clock (D12) ends."""
    case, asset = _controlled_asset(session, case_id=case_id, asset_id=asset_id, user=user)
    _check_step_date(asset, released_on, "released_on")
    asset.released_on = released_on
    step = _record_step(
        session,
        case=case,
        asset=asset,
        user=user,
        action=AssetControlAction.release,
        on=released_on,
        document_number=document_number,
        before={"released_on": None},
    )
    deadline_events.record_event(
        session,
        event="asset.released",
        on=released_on,
        case_id=case.id,
        subject_type="asset",
        subject_id=asset.id,
        params={"step": step.id},
    )
    return asset


def _record_step(
    session: Session,
    *,
    case: Case,
    asset: Asset,
    user: User,
    action: AssetControlAction,
    on: date,
    document_number: str,
    before: dict[str, object],
) -> AssetControlStep:
    step = AssetControlStep(
        asset_id=asset.id,
        case_id=case.id,
        action=action,
        taken_on=on,
        document_number=document_number,
        expires_on=asset.expires_on if action == AssetControlAction.renewal else None,
        recorded_by_id=user.id,
    )
    session.add(step)
    case.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=user,
        action=f"asset.{action}",
        entity_type="asset",
        entity_id=asset.id,
        case_id=case.id,
        before=before,
        after={
            "on": on,
            "document_number": document_number,
            "expires_on": asset.expires_on,
            "released_on": asset.released_on,
        },
    )
    return step


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

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

from app.enums import AssetKind, AssetStatus
from app.errors import InvalidInput
from app.models.base import utcnow
from app.models.case import Asset
from app.models.user import User
from app.services import audit, deadline_events
from app.services.case_access import case_for_action, load_case
from app.services.paging import keyset_page
from app.settings import court_today


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
            params={"kind": str(kind)},
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

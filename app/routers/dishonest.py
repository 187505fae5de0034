"""The dishonest-respondent list (失信被执行人名单): proposals, the director's decision, deletion."""

from __future__ import annotations

from fastapi import APIRouter

from app.enums import DishonestListingState
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import GateNotMet
from app.errors import NotFound
from app.errors import TransitionNotAllowed
from app.routing import Command
from app.routing import Desk
from app.routing import Filter
from app.schemas.dishonest import DeletionCreate
from app.schemas.dishonest import DeletionTriggerCreate
from app.schemas.dishonest import DishonestDecisionCreate
from app.schemas.dishonest import DishonestListingCreate
from app.schemas.dishonest import DishonestListingRead
from app.services import dishonest
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["dishonest list"])

desk = Desk(router, DishonestListingRead, dishonest.LISTINGS, "/dishonest-listings/{listing_id}")
_STATE = Filter("state", DishonestListingState | None)

desk.routes(
    desk.create(
        "/cases/{case_id}/dishonest-listings",
        "propose_dishonest_listing",
        COMMAND_POLICY["propose_dishonest"],
        DishonestListingCreate,
        dishonest.propose_listing,
        "Propose a respondent for the dishonest list (the handling judge).",
        problems=(Forbidden, NotFound, TransitionNotAllowed, Conflict),
    ),
    desk.listing(
        "/cases/{case_id}/dishonest-listings",
        "list_case_dishonest_listings",
        "dishonest.read",
        "The dishonest-list proposals and listings of one case, newest first.",
        filters=[_STATE],
    ),
    desk.listing(
        "/dishonest-listings",
        "list_dishonest_listings",
        "dishonest.read",
        "Dishonest-list proposals and listings the caller may see, newest first; filter by ``state``.",
        filters=[_STATE],
    ),
    desk.show(
        "get_dishonest_listing",
        "dishonest.read",
        "One dishonest-list proposal or listing.",
    ),
)

desk.commands(
    Command(
        "/dishonest-listings/{listing_id}/decision",
        "decide_dishonest_listing",
        "decide",
        DishonestDecisionCreate,
        dishonest.decide_listing,
        "Approve (needs a consumption ban on the case) or refuse a proposed listing (the director).",
        more_problems=(GateNotMet,),
    ),
    Command(
        "/dishonest-listings/{listing_id}/deletion-trigger",
        "trigger_dishonest_deletion",
        "trigger_deletion",
        DeletionTriggerCreate,
        dishonest.trigger_deletion,
        "Record that the respondent paid, settled or the term ended: the deletion clock (D11) starts.",
    ),
    Command(
        "/dishonest-listings/{listing_id}/deletion",
        "delete_dishonest_listing",
        "delete",
        DeletionCreate,
        dishonest.delete_listing,
        "Record the deletion of a listing from the dishonest list (the handling team).",
    ),
)

"""Enforcement petitions (涉执信访) at the comprehensive group (plan §5(8), plan §5(8))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query

from app.enums import PetitionState
from app.errors import Forbidden
from app.routing import Command
from app.routing import Desk
from app.routing import Filter
from app.routing import PlainCursor
from app.schemas.petition import CloseCreate
from app.schemas.petition import PetitionCreate
from app.schemas.petition import PetitionRead
from app.schemas.petition import RegisterCreate
from app.schemas.petition import ReplyCreate
from app.schemas.petition import ResolveCreate
from app.schemas.petition import RouteCreate
from app.schemas.petition import SuperviseCreate
from app.schemas.petition import UrgeCreate
from app.services import petitions

router = APIRouter(tags=["petitions"])

desk = Desk(router, PetitionRead, petitions.PETITIONS, "/petitions/{petition_id}")

desk.routes(
    desk.create(
        "/petitions",
        "receive_petition",
        "petition.handle",
        PetitionCreate,
        petitions.receive_petition,
        "Receive a petition (starts D9); a repeat on the same case links to the first.",
        problems=(Forbidden,),
    ),
    desk.listing(
        "/petitions",
        "list_petitions",
        "petition.read",
        "List petitions, newest first, by state, supervision, case or team.",
        filters=[
            Filter("state", PetitionState | None),
            Filter("supervised", Annotated[bool | None, Query(description="escalated to the leadership")]),
            Filter("case_id", Annotated[int | None, Query(ge=1)]),
            Filter("unit", Annotated[str | None, Query(max_length=32, description="routed to this team")]),
        ],
        cursor=PlainCursor,
    ),
    desk.show(
        "get_petition",
        "petition.read",
        "One petition with its routing, urgings, reply and closing.",
    ),
)

desk.commands(
    Command(
        "/petitions/{petition_id}/register",
        "register_petition",
        "register",
        RegisterCreate,
        petitions.register_petition,
        "Register the petition (meets D9, starts D10).",
        body_optional=True,
    ),
    Command(
        "/petitions/{petition_id}/route",
        "route_petition",
        "route",
        RouteCreate,
        petitions.route_petition,
        "Send the petition to the handling team.",
        body_optional=True,
    ),
    Command(
        "/petitions/{petition_id}/urge",
        "urge_petition",
        "urge",
        UrgeCreate,
        petitions.urge_petition,
        "Urge the handling team to answer (催办); may be repeated.",
    ),
    Command(
        "/petitions/{petition_id}/supervise",
        "supervise_petition",
        "supervise",
        SuperviseCreate,
        petitions.supervise_petition,
        "Escalate the petition to the leadership (督办).",
        body_optional=True,
    ),
    Command(
        "/petitions/{petition_id}/reply",
        "reply_to_petition",
        "reply",
        ReplyCreate,
        petitions.reply_to_petition,
        "The handling team's reply to the petition.",
    ),
    Command(
        "/petitions/{petition_id}/resolve",
        "resolve_petition",
        "resolve",
        ResolveCreate,
        petitions.resolve_petition,
        "Record that the dispute was resolved (化解).",
        body_optional=True,
    ),
    Command(
        "/petitions/{petition_id}/close",
        "close_petition",
        "close",
        CloseCreate,
        petitions.close_petition,
        "Close the petition (报结; meets D10).",
        body_optional=True,
    ),
)

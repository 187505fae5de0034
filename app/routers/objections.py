"""Objections (执行异议) at the objection group (docs/rules.md#objections, plan §5(7))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query

from app.enums import ObjectionKind
from app.enums import ObjectionState
from app.errors import Forbidden
from app.errors import NotFound
from app.routing import Command
from app.routing import Desk
from app.routing import Filter
from app.schemas.objection import DocketCreate
from app.schemas.objection import HearingCreate
from app.schemas.objection import ObjectionCreate
from app.schemas.objection import ObjectionRead
from app.schemas.objection import ReconsiderationCreate
from app.schemas.objection import RulingCreate
from app.schemas.objection import ServiceCreate
from app.schemas.objection import TransferCreate
from app.services import objections

router = APIRouter(tags=["objections"])

desk = Desk(router, ObjectionRead, objections.OBJECTIONS, "/objections/{objection_id}")

desk.routes(
    desk.create(
        "/objections",
        "file_objection",
        "objection.file",
        ObjectionCreate,
        objections.file_objection,
        "Receive an objection against a case (starts D5 or D6).",
        problems=(Forbidden, NotFound),
    ),
    desk.listing(
        "/objections",
        "list_objections",
        "objection.read",
        "List objections, newest first, by state, kind or case.",
        filters=[
            Filter("state", ObjectionState | None),
            Filter("kind", ObjectionKind | None),
            Filter("case_id", Annotated[int | None, Query(ge=1)]),
        ],
    ),
    desk.listing(
        "/cases/{case_id}/objections",
        "list_case_objections",
        "objection.read",
        "The objections filed against one case, newest first.",
    ),
    desk.show(
        "get_objection",
        "objection.read",
        "One objection with its hearings, ruling and reconsideration.",
    ),
)

desk.commands(
    Command(
        "/objections/{objection_id}/docket",
        "docket_objection",
        "docket",
        DocketCreate,
        objections.docket_objection,
        "Docket the objection with its own 执异 case number.",
        body_optional=True,
    ),
    Command(
        "/objections/{objection_id}/hearing",
        "record_objection_hearing",
        "hearing",
        HearingCreate,
        objections.record_hearing,
        "Schedule a hearing, or record that it was held.",
    ),
    Command(
        "/objections/{objection_id}/ruling",
        "rule_on_objection",
        "ruling",
        RulingCreate,
        objections.record_ruling,
        "Rule on the objection: upheld or rejected, with reasons (meets D5/D6).",
    ),
    Command(
        "/objections/{objection_id}/service",
        "record_objection_ruling_service",
        "service",
        ServiceCreate,
        objections.record_service,
        "Record service of the ruling (starts D7, the reconsideration period).",
    ),
    Command(
        "/objections/{objection_id}/reconsideration",
        "apply_for_objection_reconsideration",
        "reconsideration",
        ReconsiderationCreate,
        objections.apply_for_reconsideration,
        "Record an application for reconsideration of the ruling (starts D8).",
    ),
    Command(
        "/objections/{objection_id}/transfer",
        "transfer_objection_file",
        "transfer",
        TransferCreate,
        objections.record_transfer,
        "Record the transfer of the file to the higher court (meets D8).",
    ),
)

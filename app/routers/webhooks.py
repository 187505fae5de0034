"""Webhook subscriptions and their deliveries (administrators; docs/events.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query
from fastapi import Response

from app.deps import Authorized
from app.deps import ExpectedVersion
from app.deps import SessionDep
from app.deps import with_etag
from app.enums import DeliveryStatus
from app.enums import SubscriptionStatus
from app.errors import Forbidden
from app.errors import NotFound
from app.errors import PreconditionFailed
from app.errors import problem_responses
from app.models.user import User
from app.routing import API_PREFIX
from app.routing import Create
from app.routing import Filter
from app.routing import Listing
from app.routing import Show
from app.routing import add_routes
from app.schemas.common import RowId
from app.schemas.event import DeliveryPage
from app.schemas.event import DeliveryRead
from app.schemas.event import SubscriptionCreate
from app.schemas.event import SubscriptionCreated
from app.schemas.event import SubscriptionPage
from app.schemas.event import SubscriptionRead
from app.services import webhooks

router = APIRouter(tags=["webhooks"])
MANAGE = "webhook.manage"
DeliveryStatusFilter = Annotated[DeliveryStatus | None, Query(description="pending, delivered or failed")]


add_routes(
    router,
    routes=[
        Create(
            "/webhook-subscriptions",
            "create_webhook_subscription",
            MANAGE,
            SubscriptionCreate,
            webhooks.subscribe,
            "Register a receiver of events (URL, types, secret); 422 naming ``url`` for a URL refused.",
            problems=(Forbidden,),
            location=API_PREFIX + "/webhook-subscriptions/{id}",
            schema=SubscriptionCreated,
        ),
        Listing(
            "/webhook-subscriptions",
            "list_webhook_subscriptions",
            MANAGE,
            webhooks.subscriptions,
            "The webhook subscriptions, newest first.",
            page=SubscriptionPage,
            schema=SubscriptionRead,
            for_caller=False,
        ),
        Show(
            "/webhook-subscriptions/{subscription_id}",
            "get_webhook_subscription",
            MANAGE,
            webhooks.load_subscription,
            "One webhook subscription: its status and failures in a row.",
            schema=SubscriptionRead,
            for_caller=False,
        ),
    ],
)


def _status_command(status: SubscriptionStatus, verb: str, operation_id: str, summary: str) -> None:
    def command(
        subscription_id: RowId,
        session: SessionDep,
        user: Annotated[User, Authorized(MANAGE)],
        response: Response,
        expected_version: ExpectedVersion,
    ) -> SubscriptionRead:
        subscription = webhooks.set_status(
            session,
            user=user,
            subscription_id=subscription_id,
            status=status,
            expected_version=expected_version,
        )
        return with_etag(response, SubscriptionRead.model_validate(subscription))

    command.__doc__ = summary
    command.__name__ = operation_id
    router.add_api_route(
        f"/webhook-subscriptions/{{subscription_id}}/{verb}",
        command,
        methods=["POST"],
        operation_id=operation_id,
        response_model=SubscriptionRead,
        responses=problem_responses(Forbidden, NotFound, PreconditionFailed),
    )


_status_command(
    SubscriptionStatus.disabled,
    "disable",
    "disable_webhook_subscription",
    "Stop sending to a receiver: nothing more is owed to it.",
)
_status_command(
    SubscriptionStatus.active,
    "enable",
    "enable_webhook_subscription",
    "Send to a receiver again (clears failing); a disabled one is owed the events from now on.",
)


add_routes(
    router,
    routes=[
        Listing(
            "/webhook-subscriptions/{subscription_id}/deliveries",
            "list_webhook_deliveries",
            MANAGE,
            webhooks.deliveries,
            "A subscription's deliveries, newest first: attempts, the receiver's last answer or error.",
            filters=[Filter("status", DeliveryStatusFilter)],
            page=DeliveryPage,
            schema=DeliveryRead,
            for_caller=False,
        ),
    ],
)


@router.post(
    "/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay",
    operation_id="replay_webhook_delivery",
    response_model=DeliveryRead,
    responses=problem_responses(Forbidden, NotFound),
)
def replay_webhook_delivery(
    subscription_id: RowId, delivery_id: RowId, session: SessionDep, user: Annotated[User, Authorized(MANAGE)]
) -> DeliveryRead:
    """Send a delivery again now, with a new retry period (receivers deduplicate by event id)."""
    return DeliveryRead.model_validate(
        webhooks.replay(session, user=user, subscription_id=subscription_id, delivery_id=delivery_id)
    )

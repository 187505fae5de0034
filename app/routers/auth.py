from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Request
from fastapi.security import OAuth2PasswordRequestForm

from app.deps import Authorized
from app.errors import TooManyRequests
from app.errors import problem_responses
from app.models.user import User
from app.policy import POLICY
from app.policy import actor_may
from app.schemas.auth import Me
from app.schemas.auth import Token
from app.services.auth import issue_token
from app.settings import get_settings

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token", operation_id="login", response_model=Token, responses=problem_responses(TooManyRequests)
)
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request) -> Token:
    """Log in with username and password (OAuth2 password flow); returns a bearer token."""
    address = request.client.host if request.client else ""  # behind a proxy: FORWARDED_ALLOW_IPS
    token = await issue_token(username=form.username, password=form.password, address=address)
    return Token(access_token=token, expires_in=get_settings().token_lifetime_minutes * 60)


@router.get("/me", operation_id="get_me", response_model=Me, responses=problem_responses())
async def read_me(user: Annotated[User, Authorized("me.read")]) -> Me:  # async: no I/O, no worker thread
    """The caller: unit, roles and the actions the policy grants them."""
    permissions = sorted(action for action in POLICY if actor_may(user, action))
    return Me(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        unit_code=user.unit_code,
        roles=list(user.roles),
        is_service_account=user.is_service_account,
        permissions=permissions,
    )

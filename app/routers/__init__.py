"""Every API router; mounted under /api/v1 by the app factory (health is mounted at the root)."""

from app.routers import assets
from app.routers import audit
from app.routers import auth
from app.routers import calendar
from app.routers import cases
from app.routers import closure
from app.routers import deadlines
from app.routers import dishonest
from app.routers import disposal
from app.routers import events
from app.routers import ledger
from app.routers import measures
from app.routers import objections
from app.routers import payouts
from app.routers import permissions
from app.routers import petitions
from app.routers import receipts
from app.routers import refusal_referrals
from app.routers import registration
from app.routers import stats
from app.routers import termination_pool
from app.routers import triage
from app.routers import webhooks

ROUTERS = [
    auth.router,
    permissions.router,
    audit.router,
    cases.router,
    registration.router,
    assets.router,
    triage.router,
    objections.router,
    refusal_referrals.router,
    petitions.router,
    deadlines.router,
    calendar.router,
    stats.router,
    measures.router,
    disposal.router,
    closure.router,
    dishonest.router,
    termination_pool.router,
    ledger.router,
    receipts.router,
    payouts.router,
    events.router,
    webhooks.router,
]

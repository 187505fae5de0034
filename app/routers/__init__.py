"""Every API router; mounted under /api/v1 by the app factory (health is mounted at the root)."""

from app.routers import (
           assets,
           audit,
           auth,
           calendar,
           cases,
           closure,
           deadlines,
           dishonest,
           disposal,
           measures,
           objections,
           petitions,
           refusal_referrals,
           registration,
           stats,
           termination_pool,
           triage,
)

ROUTERS = [auth.router, audit.router, cases.router, registration.router, assets.router, triage.router,
           objections.router, refusal_referrals.router, petitions.router, deadlines.router, calendar.router,
           stats.router, measures.router, disposal.router, closure.router, dishonest.router,
           termination_pool.router]

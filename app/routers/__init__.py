"""Every API router; mounted under /api/v1 by the app factory (health is mounted at the root)."""

from app.routers import audit, auth

ROUTERS = [auth.router, audit.router]

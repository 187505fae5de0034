"""Request-scoped values that logs and the audit trail read (set by middleware)."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

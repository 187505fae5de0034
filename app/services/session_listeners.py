"""What every session does by itself, installed by each entry point that opens sessions (the app
factory, the sweep, the seed, the tests' harness) rather than by importing a module:

- ``before_flush``: a case's new unit or handler is copied onto its deadlines, which the board
  filters by (app.services.deadline_clocks);
- ``before_commit``: a writing transaction commits with the audit entries it queued, chained
  (app.services.audit).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.services.audit import chain_before_commit
from app.services.deadline_clocks import follow_case_assignment

LISTENERS = (("before_flush", follow_case_assignment), ("before_commit", chain_before_commit))


def install_session_listeners() -> None:
    """Listen on every session of the process; installing again changes nothing."""
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

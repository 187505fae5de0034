"""Seed the organisation (docs/permissions.md) and, with ``--demo``, the demo users.

python -m app.seed            # units only, when missing
python -m app.seed --demo     # units and demo users, when the database has no users
"""

from __future__ import annotations

import argparse
import os

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import session_scope
from app.models.unit import Unit
from app.models.user import User
from app.security import hash_password
from app.services.session_listeners import install_session_listeners
from app.settings import get_settings

UNITS: list[tuple[str, str, str]] = [
    ("filing", "Filing division", "立案庭"),
    ("comprehensive", "Command center: comprehensive group", "指挥中心综合组"),
    ("fast", "Command center: fast-enforcement group", "快执组"),
    ("disposal", "Command center: property-disposal group", "财产处置组"),
    ("objection", "Command center: objection group", "异议组"),
    ("brigade-1", "Implementation brigade 1", "执行实施一大队"),
    ("brigade-2", "Implementation brigade 2", "执行实施二大队"),
    ("brigade-3", "Implementation brigade 3", "执行实施三大队"),
    ("brigade-4", "Implementation brigade 4", "执行实施四大队"),
    ("leadership", "Bureau leadership", "执行局领导"),
    ("office", "Court office", "办公室"),
    ("admin", "System administration", "系统管理"),
]

DEMO_USERS: list[tuple[str, str, list[str], str, bool]] = [
    ("registrar", "filing", ["registrar"], "立案员", False),
    ("filing-bot", "filing", ["service"], "立案系统", True),
    ("comprehensive", "comprehensive", ["clerk"], "综合组书记员", False),
    ("comprehensive-lead", "comprehensive", ["group_lead"], "综合组组长", False),
    ("fast-judge", "fast", ["judge"], "快执组法官", False),
    ("disposal", "disposal", ["clerk"], "处置组书记员", False),
    ("objection-judge", "objection", ["judge"], "异议组法官", False),
    *[(f"brigade{n}-judge", f"brigade-{n}", ["judge"], f"执行{n}大队法官甲", False) for n in range(1, 5)],
    *[(f"brigade{n}-judge2", f"brigade-{n}", ["judge"], f"执行{n}大队法官乙", False) for n in range(1, 5)],
    ("deputy", "leadership", ["deputy_director"], "副局长", False),
    ("director", "leadership", ["director"], "局长", False),
    ("president", "leadership", ["president"], "院长", False),
    ("finance", "office", ["finance"], "财务", False),
    ("admin", "admin", ["admin"], "系统管理员", False),
]


def seed_units(session: Session) -> int:
    existing = set(session.scalars(select(Unit.code)))
    added = 0
    for code, name, name_zh in UNITS:
        if code not in existing:
            session.add(Unit(code=code, name=name, name_zh=name_zh, is_brigade=code.startswith("brigade-")))
            added += 1
    session.flush()
    return added


def seed_demo_users(session: Session, password: str) -> int:
    if session.scalar(select(func.count()).select_from(User)):
        return 0
    password_hash = hash_password(password)
    for username, unit, roles, full_name, is_service in DEMO_USERS:
        session.add(
            User(
                username=username,
                unit_code=unit,
                roles=roles,
                full_name=full_name,
                password_hash=password_hash,
                is_service_account=is_service,
            )
        )
    session.flush()
    return len(DEMO_USERS)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demo", action="store_true", help="also create the demo users on an empty database")
    args = parser.parse_args()
    password = os.environ.get("ENFORCEMENT_DEMO_PASSWORD", get_settings().demo_password)
    install_session_listeners()
    with session_scope() as session:
        units = seed_units(session)
        users = seed_demo_users(session, password) if args.demo else 0
    print(f"seeded {units} units, {users} users")
    if users:
        env_set = "ENFORCEMENT_DEMO_PASSWORD" in os.environ
        shown = "from ENFORCEMENT_DEMO_PASSWORD" if env_set else repr(password)
        print(f"demo logins (password {shown}):")
        print("  " + ", ".join(u[0] for u in DEMO_USERS))


if __name__ == "__main__":
    main()

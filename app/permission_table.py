"""Who may call which operation, published from the one policy (``app.policy``).

Each route's ``Authorized(action)`` dependency carries its action; the app factory records it in the
OpenAPI document (``x-policy-action``) and appends "Who may call" to the operation's description.
``GET /api/v1/permissions`` and ``docs/permissions.md`` are both built from that document and
``POLICY``, so neither can drift from what the service enforces.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.policy import ALL_UNITS
from app.policy import POLICY
from app.policy import Grant
from app.policy import Role

ACTION_KEY = "x-policy-action"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
UNIT_ORDER = (
    "filing",
    "comprehensive",
    "fast",
    "disposal",
    "objection",
    "brigade-1",
    "brigade-2",
    "brigade-3",
    "brigade-4",
    "leadership",
    "office",
    "admin",
)
RELATIONS = {
    "handling_team": "only on cases allocated to the caller's unit",
    "handling_judge": "only on cases the caller handles as judge",
}
PUBLIC = "anyone, no token needed"
ANY_USER = "any user"


def _ordered(values: Iterable[str], order: Iterable[str]) -> list[str]:
    rank = {v: i for i, v in enumerate(order)}
    return sorted(values, key=lambda v: (rank.get(v, len(rank)), v))


def units() -> list[str]:
    return _ordered(ALL_UNITS, UNIT_ORDER)


def grant_text(grant: Grant) -> str:
    """E.g. ``fast, brigade-1 (judge), only on cases the caller handles as judge``."""
    if "*" in grant.units:
        text = ANY_USER if "*" in grant.roles else "any unit"
    else:
        text = ", ".join(_ordered(grant.units, units()))
    if "*" not in grant.roles:
        text += f" ({', '.join(_ordered(grant.roles, Role))})"
    if grant.relation:
        text += f", {RELATIONS.get(grant.relation, grant.relation)}"
    return text


def who_may(action: str) -> str:
    return "; ".join(grant_text(g) for g in POLICY.get(action, ())) or "nobody"


def route_action(route: APIRoute) -> str | None:
    """The policy action of the route's ``Authorized(action)`` dependency, if it has one."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        action = getattr(dependency.call, "policy_action", None)
        if isinstance(action, str):
            return action
        stack.extend(dependency.dependencies)
    return None


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def operation_who(operation: dict[str, Any]) -> str:
    action = operation.get(ACTION_KEY)
    if action:
        return who_may(action)
    return ANY_USER if operation.get("security") else PUBLIC


def document_permissions(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Make ``app.openapi()`` name each operation's action and who may call it."""
    actions = {
        route.operation_id: action
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and (action := route_action(route))
    }
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for _, _, operation in _operations(schema):
                action = actions.get(operation.get("operationId"))
                if action:
                    operation[ACTION_KEY] = action
                named = f" (policy action `{action}`)" if action else ""
                who = f"**Who may call**{named}: {operation_who(operation)}."
                operation["description"] = f"{operation.get('description', '')}\n\n{who}".strip()
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def permission_table(schema: dict[str, Any]) -> dict[str, Any]:
    """The body of ``GET /api/v1/permissions``: every action's grants and every operation's action."""
    operations = [
        {
            "operation_id": op["operationId"],
            "method": method,
            "path": path,
            "action": op.get(ACTION_KEY),
            "who": operation_who(op),
        }
        for method, path, op in _operations(schema)
    ]
    return {
        "units": units(),
        "roles": list(Role),
        "relations": RELATIONS,
        "actions": [
            {
                "action": action,
                "who": who_may(action),
                "grants": [
                    {
                        "units": _ordered(g.units, units()),
                        "roles": _ordered(g.roles, Role),
                        "relation": g.relation,
                    }
                    for g in grants
                ],
                "operations": [o["operation_id"] for o in operations if o["action"] == action],
            }
            for action, grants in POLICY.items()
        ],
        "operations": operations,
    }


def _cell(action: str, unit: str) -> str:
    """What the unit's members may do for ``action``: ``all``, their roles, or empty; ¹ ² for relations."""
    marks = {"handling_team": "¹", "handling_judge": "²"}
    parts = []
    for grant in POLICY.get(action, ()):
        if "*" in grant.units or unit in grant.units:
            roles = "all" if "*" in grant.roles else ", ".join(_ordered(grant.roles, Role))
            parts.append(roles + marks.get(grant.relation or "", ""))
    return "; ".join(parts)


def markdown(schema: dict[str, Any]) -> str:
    """``docs/permissions.md``."""
    table = permission_table(schema)
    lines = [
        "# Permissions",
        "",
        "Generated from `app/policy.py` and the OpenAPI document by `make openapi`; do not edit.",
        "The same table is served to any logged-in user at `GET /api/v1/permissions`, and each",
        "operation's description in `/docs` ends with who may call it. `GET /api/v1/me` lists the",
        "actions the caller holds.",
        "",
        "A grant names units and roles. Some are narrowed to the case at hand:",
        "",
        *(f"- `{name}`: {meaning}" for name, meaning in RELATIONS.items()),
        "",
        "## By operation",
        "",
        "| operation | method and path | action | who may call |",
        "|---|---|---|---|",
        *(
            f"| `{o['operation_id']}` | `{o['method']} {o['path']}` | "
            f"{'`' + o['action'] + '`' if o['action'] else '—'} | {o['who']} |"
            for o in table["operations"]
        ),
        "",
        "## By unit",
        "",
        "Each cell: the roles of the unit that hold the action (`all`: any role); ¹ only on cases",
        "allocated to the unit, ² only on cases the user handles as judge.",
        "",
        "| action | " + " | ".join(table["units"]) + " |",
        "|---|" + "---|" * len(table["units"]),
        *(
            f"| `{a['action']}` | " + " | ".join(_cell(a["action"], unit) for unit in table["units"]) + " |"
            for a in table["actions"]
        ),
        "",
    ]
    return "\n".join(lines)

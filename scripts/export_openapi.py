"""Write what is generated from the app's OpenAPI document: ``python -m scripts.export_openapi [path]``.

The document itself to ``path`` (default openapi.json), and the permission table to docs/permissions.md.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PERMISSIONS_MD = ROOT / "docs" / "permissions.md"


def _openapi() -> dict[str, Any]:
    os.environ.setdefault("ENFORCEMENT_DATABASE_URL", "sqlite://")
    from app.main import create_app

    return create_app().openapi()


def render() -> str:
    return json.dumps(_openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def render_permissions() -> str:
    from app.permission_table import markdown

    return markdown(_openapi())


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "openapi.json"
    for path, text in ((target, render()), (PERMISSIONS_MD, render_permissions())):
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()

"""Write the app's OpenAPI document: ``python -m scripts.export_openapi [path]`` (default openapi.json)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def render() -> str:
    os.environ.setdefault("ENFORCEMENT_DATABASE_URL", "sqlite://")
    from app.main import create_app

    return json.dumps(create_app().openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "openapi.json"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()

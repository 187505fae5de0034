"""Print the kill rate of the last ``make mutants`` run: ``python -m scripts.mutation_score``.

Reads the counts ``mutmut export-cicd-stats`` writes to mutants/mutmut-cicd-stats.json. A mutant no
selected test runs ("without a test") counts as not killed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

STATS = Path(__file__).resolve().parent.parent / "mutants" / "mutmut-cicd-stats.json"


def summary(stats: dict[str, int]) -> str:
    killed, total = stats["killed"], stats["total"]
    rate = 100 * killed / total if total else 0.0
    return (
        f"killed {killed} of {total} mutants ({rate:.1f}%): {stats['survived']} survived, "
        f"{stats['no_tests']} without a test, {stats['timeout']} timed out, {stats['suspicious']} suspicious"
    )


def main() -> None:
    if not STATS.exists():
        sys.exit(f"{STATS} is missing: run `make mutants` first")
    print(summary(json.loads(STATS.read_text())))


if __name__ == "__main__":
    main()

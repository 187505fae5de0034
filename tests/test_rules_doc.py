"""docs/rules.md covers every rule the code applies: each deadline clock with its setting, each
triage rule; and the API's descriptions cite its sections, never files a reader does not have."""

from __future__ import annotations

import json
import re

from app.rules.deadline_rules import RULES
from app.rules.triage_rules import RULE_IDS
from tests.conftest import ROOT

RULES_DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def _anchor(heading: str) -> str:
    """The fragment GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


ANCHORS = {_anchor(line.lstrip("#")) for line in RULES_DOC.splitlines() if line.startswith("#")}
ANCHORS |= set(re.findall(r'<a id="([\w\-]+)"></a>', RULES_DOC))  # short names for long headings


def test_every_deadline_clock_is_in_the_table_with_its_setting():
    for rule in RULES:
        row = next((line for line in RULES_DOC.splitlines() if line.startswith(f"| {rule.id} |")), None)
        assert row is not None, f"{rule.id} has no row in docs/rules.md"
        assert rule.duration_setting.upper() in row, f"{rule.id}: {rule.duration_setting} not named"


def test_every_triage_rule_is_described():
    for rule_id in RULE_IDS:
        assert any(line.startswith(f"| {rule_id} |") for line in RULES_DOC.splitlines()), rule_id


def test_the_contract_cites_the_rules_document_and_its_sections_exist():
    contract = (ROOT / "openapi.json").read_text(encoding="utf-8")
    assert "DOMAIN.md" not in contract
    cited = set(re.findall(r"docs/rules\.md#([\w\-]+)", contract))
    assert cited, "no description cites docs/rules.md"
    assert cited <= ANCHORS, sorted(cited - ANCHORS)
    assert json.loads(contract)  # still a JSON document

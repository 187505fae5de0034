"""File enforcement cases from the filing division's export (立案庭 → 执行局, plan §5(1)).

    python -m scripts.file_cases cases.csv --base-url https://enforcement.example.court
    python -m scripts.file_cases cases.json --user filing-bot      # password from the environment

Login: ``--user``/``--password`` or ENFORCEMENT_FILING_USER / ENFORCEMENT_FILING_PASSWORD; the API
address: ``--base-url`` or ENFORCEMENT_API_URL (default http://127.0.0.1:8000).

Input
-----
JSON: a list of case bodies exactly as ``POST /api/v1/cases`` takes them (or ``{"cases": [...]}``).

CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it on Chinese Windows), one row per case,
with this header row (column order free, unknown columns ignored):

    case_number, filed_on, category, claim_amount, behaviour,
    applicant_name, applicant_type, applicant_id_number,
    respondent_name, respondent_type, respondent_id_number, respondent_class,
    clue_kind, clue_description

A case with several applicants, respondents or clues continues on the following rows with the
same case_number: those rows only need the party or clue cells; blank cells are skipped. Types,
categories and classes are the API's codes (natural_person, legal_person, unincorporated_org;
civil_commercial …); 自然人 / 法人 / 非法人组织 are also understood. Dates as 2026-03-02 or
2026/3/2; amounts as 45000.00 (thousands separators are removed); an empty claim_amount is null.

Behaviour
---------
Cases go in batches (``POST /api/v1/cases/batch``, ``--batch-size`` cases a request, default 1000,
and at most ``--max-batch-bytes`` of JSON); each batch carries an ``Idempotency-Key`` derived from
its cases, so a retry after a network error never files a case twice, and a case already filed (by
an earlier run or by anyone else) counts as "already present". Network errors, 429 and 5xx answers
are retried with exponential backoff. After each batch the case numbers it settled (filed or already
present) are appended to the progress file (``--progress-file``, default the export's name with
``.progress`` added): a run interrupted and started again skips them without sending them again,
and counts them as already present. The run ends with a summary of created, already present and
rejected cases with the reasons; the exit status is 1 when any case was rejected or the service
stopped answering (the run stops there; run it again to resume), 2 when the run could not start
(file unreadable, login refused).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

BATCH_PATH = "/api/v1/cases/batch"
MAX_BATCH_CASES = 1000  # what the service takes in one batch
DEFAULT_MAX_BATCH_BYTES = 1_000_000  # under the service's default body limit (1 MiB)
TOKEN_PATH = "/api/v1/auth/token"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})

CSV_CASE_COLUMNS = ("case_number", "filed_on", "category", "claim_amount", "behaviour")
CSV_COLUMNS = (
    *CSV_CASE_COLUMNS,
    "applicant_name",
    "applicant_type",
    "applicant_id_number",
    "respondent_name",
    "respondent_type",
    "respondent_id_number",
    "respondent_class",
    "clue_kind",
    "clue_description",
)
PARTY_TYPE_LABELS = {
    "自然人": "natural_person",
    "法人": "legal_person",
    "非法人组织": "unincorporated_org",
    "其他组织": "unincorporated_org",
}
_EXCEL_DATE = re.compile(r"(\d{4})[/.\-年](\d{1,2})[/.\-月](\d{1,2})日?")


class InputError(Exception):
    """The export cannot be read at all."""


@dataclass
class CaseToFile:
    label: str  # where it came from: "row 5" or "item 3"
    body: dict[str, Any]
    problem: str | None = None  # found before sending (e.g. no case number)

    @property
    def case_number(self) -> str:
        return str(self.body.get("case_number") or "")


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (case, reasons)
    resumed: int = 0  # of the present: skipped, as the progress file lists them


# Reading the export ------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _cell(row: dict[str, str | None], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def _date(text: str | None) -> str | None:
    match = _EXCEL_DATE.fullmatch(text or "")
    if match is None:
        return text
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _amount(text: str | None) -> str | None:
    return None if text is None else text.replace(",", "").replace("，", "").replace(" ", "")


def _party(row: dict[str, str | None], prefix: str, *, respondent: bool) -> dict[str, Any] | None:
    name = _cell(row, f"{prefix}_name")
    if name is None:
        return None
    party_type = _cell(row, f"{prefix}_type")
    party: dict[str, Any] = {
        "name": name,
        "party_type": PARTY_TYPE_LABELS.get(party_type or "", party_type),
        "id_number": _cell(row, f"{prefix}_id_number"),
    }
    if respondent:
        party["respondent_class"] = _cell(row, "respondent_class")
    return party


def _lines(text: str) -> Iterator[str]:
    """The text's lines one at a time (a copy of the whole export would double the memory)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _rows(text: str) -> Iterator[tuple[int, dict[str, str | None]]]:
    reader = csv.DictReader(_lines(text))
    header = {(name or "").strip() for name in reader.fieldnames or ()}
    if "case_number" not in header:
        raise InputError(f"the CSV header has no case_number column; expected: {', '.join(CSV_COLUMNS)}")
    for line, raw_row in enumerate(reader, start=2):
        yield line, {(k or "").strip(): v for k, v in raw_row.items()}


@dataclass
class CsvExport:
    """The cases of a CSV export, read as they are sent: a case is handed on at its last row, so
    memory holds the cases still open, not the file's worth of them."""

    text: str
    last_row: dict[str, int]  # the line of each case's last row
    problems: list[CaseToFile]

    def __len__(self) -> int:
        return len(self.last_row) + len(self.problems)

    def __iter__(self) -> Iterator[CaseToFile]:
        open_cases: dict[str, CaseToFile] = {}
        for line, row in _rows(self.text):
            number = _cell(row, "case_number")
            if number is None:
                continue
            key = normalise_case_number_text(number)
            case = open_cases.get(key)
            if case is None:
                case = open_cases[key] = _new_case(line, number, row)
            _add_row(case, row)
            if self.last_row[key] == line:
                yield open_cases.pop(key)
        yield from self.problems


def _new_case(line: int, number: str, row: dict[str, str | None]) -> CaseToFile:
    return CaseToFile(
        f"row {line}",
        {
            "case_number": number,
            "filed_on": _date(_cell(row, "filed_on")),
            "category": _cell(row, "category"),
            "claim_amount": _amount(_cell(row, "claim_amount")),
            "behaviour": _cell(row, "behaviour"),
            "applicants": [],
            "respondents": [],
            "property_clues": [],
        },
    )


def _add_row(case: CaseToFile, row: dict[str, str | None]) -> None:
    if (applicant := _party(row, "applicant", respondent=False)) is not None:
        case.body["applicants"].append(applicant)
    if (respondent := _party(row, "respondent", respondent=True)) is not None:
        case.body["respondents"].append(respondent)
    kind, description = _cell(row, "clue_kind"), _cell(row, "clue_description")
    if kind or description:
        case.body["property_clues"].append({"kind": kind, "description": description})


def read_csv(text: str) -> CsvExport:
    last_row: dict[str, int] = {}
    problems: list[CaseToFile] = []
    for line, row in _rows(text):
        number = _cell(row, "case_number")
        if number is not None:
            last_row[normalise_case_number_text(number)] = line
        elif any(_cell(row, name) for name in CSV_COLUMNS):
            problems.append(CaseToFile(f"row {line}", {}, problem="case_number: the cell is empty"))
    return CsvExport(text, last_row, problems)


def read_json(text: str) -> list[CaseToFile]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        data = data["cases"]
    if not isinstance(data, list):
        raise InputError("the JSON export must be a list of cases (or an object with a 'cases' list)")
    cases = []
    for index, item in enumerate(data, start=1):
        if isinstance(item, dict):
            cases.append(CaseToFile(f"item {index}", item))
        else:
            cases.append(CaseToFile(f"item {index}", {}, problem="not a JSON object"))
    return cases


def read_export(path: Path, fmt: str | None = None) -> Sequence[CaseToFile] | CsvExport:
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
    return read_json(text) if fmt == "json" else read_csv(text)


# Talking to the API ------------------------------------------------------------------------------


def normalise_case_number_text(case_number: str) -> str:
    """The case number as the service stores it: NFKC, trimmed, full-width parentheses."""
    text = unicodedata.normalize("NFKC", case_number).strip()
    return text.replace("(", "（").replace(")", "）")


def batch_key(body: bytes) -> str:
    """One key per batch, from its cases as sent: a retried batch is recognised as the same request,
    and a batch with other cases or changed data is a new one."""
    return "file-cases:" + hashlib.sha256(body).hexdigest()


def _where(case: CaseToFile) -> str:
    return f"{case.case_number} ({case.label})" if case.case_number else case.label


def _item_reasons(item: dict[str, Any]) -> str:
    return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in item.get("errors") or ()) or "invalid"


def _reasons(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    errors = problem.get("errors") if isinstance(problem, dict) else None
    if errors:
        return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors)
    if isinstance(problem, dict):
        return str(problem.get("detail") or problem.get("title") or f"HTTP {response.status_code}")
    return f"HTTP {response.status_code}"


class ServiceUnreachable(Exception):
    """A batch got no answer after every retry: the run stops there, to be resumed by a new run."""


@dataclass
class Attempts:
    """The attempts at one request: whether one of them may have reached the server."""

    maybe_delivered: bool = False


@dataclass
class Filer:
    client: httpx.Client
    username: str
    password: str
    retries: int = 5
    backoff: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    token: str | None = None

    def login(self) -> None:
        response = self._send(
            "POST",
            TOKEN_PATH,
            data={"username": self.username, "password": self.password},
            authenticated=False,
        )
        if response.status_code != 200:
            raise PermissionError(f"login as {self.username!r} refused: {_reasons(response)}")
        self.token = response.json()["access_token"]

    def _send(
        self,
        method: str,
        path: str,
        *,
        authenticated: bool = True,
        attempts: Attempts | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        attempts = attempts or Attempts()
        headers = dict(kwargs.pop("headers", {}))
        for attempt in range(self.retries + 1):
            if authenticated:
                headers["Authorization"] = f"Bearer {self.token}"
            try:
                response = self.client.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                # Only a failure before the request was sent is known not to have reached the server.
                attempts.maybe_delivered |= not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if attempt == self.retries:
                    raise
                self.sleep(self.backoff * 2**attempt)
                continue
            if response.status_code == 401 and authenticated and attempt < self.retries:
                self.login()  # the token expired during a long run
                continue
            if response.status_code in RETRYABLE_STATUS and attempt < self.retries:
                attempts.maybe_delivered |= response.status_code >= 500
                retry_after = response.headers.get("retry-after", "")
                self.sleep(float(retry_after) if retry_after.isdigit() else self.backoff * 2**attempt)
                continue
            return response
        raise AssertionError("unreachable")

    def file_batch(self, batch: Sequence[tuple[CaseToFile, bytes]], outcome: Outcome) -> list[str]:
        """Send the cases (each with its JSON) as one batch; returns the case numbers now filed.

        A batch the server finds too large (413) is sent again as two halves.
        """
        body = b"[" + b",".join(encoded for _, encoded in batch) + b"]"
        attempts = Attempts()
        try:
            response = self._send(
                "POST",
                BATCH_PATH,
                attempts=attempts,
                content=body,
                headers={"Idempotency-Key": batch_key(body), "Content-Type": "application/json"},
            )
        except httpx.TransportError as exc:
            raise ServiceUnreachable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 413 and len(batch) > 1:
            half = len(batch) // 2
            return self.file_batch(batch[:half], outcome) + self.file_batch(batch[half:], outcome)
        if response.status_code != 200:
            reasons = _reasons(response)
            outcome.rejected += [(_where(case), reasons) for case, _ in batch]
            return []
        # A replayed answer after an attempt whose answer was lost is this run's own creation.
        replayed = response.headers.get("idempotent-replayed") == "true" and not attempts.maybe_delivered
        filed = []
        for (case, _), item in zip(batch, response.json()["items"], strict=True):
            if item["outcome"] == "invalid":
                outcome.rejected.append((_where(case), _item_reasons(item)))
                continue
            created = item["outcome"] == "created" and not replayed
            (outcome.created if created else outcome.present).append(case.case_number)
            filed.append(case.case_number)
        return filed


class ProgressFile:
    """The case numbers earlier runs filed (created or found present), one a line, appended and
    synced after each batch: a run started again skips them."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.filed: set[str] = set()
        if path is not None and path.exists():
            self.filed = {line for line in path.read_text(encoding="utf-8").splitlines() if line}

    def __contains__(self, case_number: str) -> bool:
        return normalise_case_number_text(case_number) in self.filed

    def record(self, case_numbers: Sequence[str]) -> None:
        if self.path is None or not case_numbers:
            return
        with self.path.open("a", encoding="utf-8") as f:
            f.writelines(normalise_case_number_text(n) + "\n" for n in case_numbers)
            f.flush()
            os.fsync(f.fileno())


def file_all(
    filer: Filer,
    cases: Sequence[CaseToFile] | CsvExport,
    *,
    progress: bool = True,
    batch_size: int = MAX_BATCH_CASES,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    progress_file: ProgressFile | None = None,
    parallel: int = 1,
    outcome: Outcome | None = None,
) -> Outcome:
    """File the cases in batches, ``parallel`` batches in flight at once (the server works on one
    while the next travels); the progress file records each batch once it is answered."""
    outcome = outcome or Outcome()
    done = progress_file or ProgressFile(None)
    bar = tqdm(total=len(cases), desc="filing", unit="case", disable=not progress, file=sys.stderr)
    batch: list[tuple[CaseToFile, bytes]] = []
    size = 2
    in_flight: deque[tuple[Future[list[str]], int]] = deque()
    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="file-cases")

    def settle_oldest() -> None:
        future, count = in_flight.popleft()
        done.record(future.result())
        bar.update(count)

    def send() -> None:
        if len(in_flight) >= parallel:
            settle_oldest()
        in_flight.append((pool.submit(filer.file_batch, list(batch), outcome), len(batch)))
        batch.clear()

    try:
        for case in cases:
            if case.problem:
                outcome.rejected.append((_where(case), case.problem))
                bar.update(1)
                continue
            if case.case_number in done:
                outcome.present.append(case.case_number)
                outcome.resumed += 1
                bar.update(1)
                continue
            encoded = json.dumps(case.body, ensure_ascii=False, separators=(",", ":")).encode()
            if batch and (len(batch) >= batch_size or size + len(encoded) + 1 > max_batch_bytes):
                send()
                size = 2
            batch.append((case, encoded))
            size += len(encoded) + 1
        if batch:
            send()
        while in_flight:
            settle_oldest()
    finally:
        pool.shutdown(wait=True)
        bar.close()
    return outcome


def summary(outcome: Outcome) -> str:
    lines = [
        f"created: {len(outcome.created)}",
        f"already present: {len(outcome.present)}",
        f"rejected: {len(outcome.rejected)}",
    ]
    if outcome.resumed:
        lines.insert(2, f"  ({outcome.resumed} of them filed by an earlier run, as the progress file lists)")
    lines += [f"  {case}: {reasons}" for case, reasons in outcome.rejected]
    return "\n".join(lines)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument("file", type=Path, help="CSV or JSON export of the filing division")
    parser.add_argument("--format", choices=("csv", "json"), help="default: from the file name")
    parser.add_argument("--base-url", default=os.environ.get("ENFORCEMENT_API_URL", DEFAULT_BASE_URL))
    parser.add_argument("--user", default=os.environ.get("ENFORCEMENT_FILING_USER"))
    parser.add_argument("--password", default=os.environ.get("ENFORCEMENT_FILING_PASSWORD"))
    parser.add_argument("--retries", type=int, default=5, help="attempts after the first (default 5)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=MAX_BATCH_CASES,
        choices=range(1, MAX_BATCH_CASES + 1),
        metavar=f"1..{MAX_BATCH_CASES}",
        help=f"cases per request (default {MAX_BATCH_CASES})",
    )
    parser.add_argument(
        "--parallel",
        type=int,
        default=2,
        choices=range(1, 9),
        metavar="1..8",
        help="batches in flight at once (default 2)",
    )
    parser.add_argument(
        "--max-batch-bytes",
        type=int,
        default=DEFAULT_MAX_BATCH_BYTES,
        help=f"largest JSON body per request (default {DEFAULT_MAX_BATCH_BYTES:,}; the service's limit)",
    )
    parser.add_argument(
        "--progress-file",
        type=Path,
        help="where filed case numbers are kept for a resumed run (default: the export's name + .progress)",
    )
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run the import; ``client`` lets a caller supply its own HTTP client (tests, proxies)."""
    args = _arguments(argv)
    if not args.user or not args.password:
        print(
            "set --user and --password, or ENFORCEMENT_FILING_USER and ENFORCEMENT_FILING_PASSWORD",
            file=sys.stderr,
        )
        return 2
    try:
        cases = read_export(args.file, args.format)
    except InputError as exc:
        print(f"cannot read the export: {exc}", file=sys.stderr)
        return 2
    own_client = client is None
    http = client or httpx.Client(base_url=args.base_url, timeout=args.timeout)
    try:
        filer = Filer(http, args.user, args.password, retries=args.retries, sleep=sleep)
        try:
            filer.login()
        except (PermissionError, httpx.TransportError) as exc:
            print(f"cannot log in: {exc}", file=sys.stderr)
            return 2
        outcome = Outcome()
        try:
            file_all(
                filer,
                cases,
                progress=not args.no_progress,
                batch_size=args.batch_size,
                max_batch_bytes=args.max_batch_bytes,
                parallel=args.parallel,
                progress_file=ProgressFile(
                    args.progress_file or args.file.with_name(args.file.name + ".progress")
                ),
                outcome=outcome,
            )
        except PermissionError as exc:
            print(f"stopped: {exc}", file=sys.stderr)
            return 2
        except ServiceUnreachable as exc:
            print(summary(outcome))
            print(
                f"stopped: the service did not answer ({exc}); the cases filed so far are in the "
                "progress file, and running the same command again sends the rest",
                file=sys.stderr,
            )
            return 1
    finally:
        if own_client:
            http.close()
    print(summary(outcome))
    return 1 if outcome.rejected else 0


if __name__ == "__main__":
    sys.exit(main())

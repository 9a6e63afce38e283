#!/usr/bin/env python3
"""Generates samples/csv/legacy-cases.csv: a legacy loan-servicing export full of real-world mess.

Deterministic (fixed seed): running it again rewrites the same bytes. Also writes
  - legacy-cases.expected.json: for every row, the openedAt the mapping must produce
    (computed here with Python's zoneinfo, independently of the TypeScript code) or the
    reason it must be rejected, keyed by the physical line the row starts on;
  - EXPECTED_REJECTS.md: the rows expected to be rejected, with line numbers and reasons.

Usage: python3 samples/csv/generate.py
"""
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ZONE = ZoneInfo("America/New_York")
ROWS = 230
rng = random.Random(20240301)

HEADER = [
    "case_id", "borrower_ref", "case_type", "status", "outcome", "priority", "channel", "agent_code",
    "subject", "notes", "created_at", "updated_at", "trustee_name", "dispute_channel", "branch_code",
    "legacy_checksum",
]

SUBJECTS = {
    "GEN": [
        "Payment not applied", "Request for payoff statement", "Escrow shortage question", "Change of address",
        "Autopay enrollment", "Late fee waiver request", 'Statement "not received"', "Hardship assistance inquiry",
        "Proof of insurance needed", "Duplicate payment, refund requested", "  Rate change question  ",
    ],
    "BK": [
        "Chapter 7 filing notice", "Chapter 13 plan received", "Proof of claim deadline", "Trustee payment received",
        "Discharge order received", "Automatic stay, collections paused",
    ],
    "DISP": [
        "Disputes balance owed", "Claims loan was paid off", "Disputes late fee", "Credit report dispute",
        'Says "not my account"', "Disputes escrow analysis, wants recalculation",
    ],
}
NOTE_LINES = [
    'Borrower called re: payment, said "bank shows it cleared".',
    "Left voicemail, will follow up Tuesday.",
    "Sent letter, certified mail; tracking 9407 1000 0000 0000 0000 00.",
    "Borrower asked for copies of the last 3 statements.",
    'Spoke with spouse (authorized third party), "will call back after payday".',
    "Escalated to supervisor for review.",
    "Documents received: bank statement, ID. Pending review.",
    "Borrower prefers email, not phone.",
]
CHANNELS = ["phone", "email", "branch", "mail", "web chat", "Phone, then email", "IVR"]
TRUSTEES = ["Jane R. Whitfield", "Office of the Standing Trustee, Ch. 13", "Marcus O'Neill", "Dana Liu, Esq.", ""]
DISPUTE = ["MAIL", "PHONE", "EMAIL", "WEB", "SOCIAL"]
BRANCHES = ["NY-01", "NY-02", "NJ-01", "CT-03", ""]
AGENTS = [f"AG-{n:03d}" for n in range(1, 13)]
OUTCOMES = ["APPROVED", "DENIED", "FALSE_POS", "NONE"]


def local_kind(naive: datetime) -> str:
    """'ok', 'gap' (does not exist in New York) or 'overlap' (happens twice)."""
    first = naive.replace(tzinfo=ZONE, fold=0)
    second = naive.replace(tzinfo=ZONE, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(timezone.utc).astimezone(ZONE).replace(tzinfo=None)
        return "gap" if back != naive else "overlap"
    return "ok"


def offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def iso_ms(naive: datetime, offset: str) -> str:
    return naive.strftime("%Y-%m-%dT%H:%M:%S.") + f"{naive.microsecond // 1000:03d}" + offset


def expected_from_naive(naive: datetime) -> str:
    return iso_ms(naive, offset_text(naive.replace(tzinfo=ZONE).utcoffset()))


def random_naive() -> datetime:
    start = datetime(2022, 1, 3)
    while True:
        moment = start + timedelta(seconds=rng.randrange(0, 900 * 24 * 3600))
        if local_kind(moment) == "ok":
            return moment


def naive_text(moment: datetime, style: int) -> str:
    if style == 0 and moment.microsecond:
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    if style == 1:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def notes_for(kind: str) -> str:
    shape = rng.random()
    if shape < 0.2:
        return ""
    count = 1 if shape < 0.5 else rng.randint(2, 4)
    lines = rng.sample(NOTE_LINES, count)
    return "\n".join(lines)


def quote(cell: str) -> str:
    if any(ch in cell for ch in [",", '"', "\n", "\r"]) or cell != cell.strip():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def base_row(index: int) -> dict:
    kind = rng.choices(["GEN", "BK", "DISP"], weights=[6, 2, 2])[0]
    status = rng.choice(["OPEN", "IN_PROGRESS", "CLOSED", "CANCELLED", "REOPENED"])
    created = random_naive()
    created = created.replace(microsecond=rng.choice([0, 0, 0, 120000, 500000, 999000]))
    updated = created + timedelta(hours=rng.randint(1, 2000), minutes=rng.randint(0, 59))
    while local_kind(updated) != "ok":
        updated += timedelta(hours=1)
    row = {
        "case_id": f"LC-{100000 + index}",
        "borrower_ref": f"BRW-{rng.randint(1001, 1060)}",
        "case_type": kind,
        "status": status + (" " if rng.random() < 0.1 else ""),
        "outcome": rng.choice(OUTCOMES) if status == "CLOSED" else ("NONE" if status == "CANCELLED" and rng.random() < 0.5 else ""),
        "priority": rng.choice(["P1", "P2", "P3", "P4", ""]),
        "channel": rng.choice(CHANNELS) if kind == "GEN" else "",
        "agent_code": rng.choice(AGENTS + [""]),
        "subject": rng.choice(SUBJECTS[kind]),
        "notes": notes_for(kind),
        "created_at": naive_text(created, rng.randrange(3)),  # may drop the fraction: the oracle reads the text back
        "updated_at": "" if rng.random() < 0.15 else naive_text(updated, 2),
        "trustee_name": rng.choice(TRUSTEES) if kind == "BK" else "",
        "dispute_channel": rng.choice(DISPUTE) if kind == "DISP" else "",
        "branch_code": rng.choice(BRANCHES),
        "legacy_checksum": f"{rng.getrandbits(64):016x}",
    }
    written = datetime.fromisoformat(row["created_at"])
    return {"row": row, "opened": expected_from_naive(written), "reject": None}


# Rows with a known twist, by row number (1-based, in data order). Each reject has its own reason.
def twist(number: int, entry: dict) -> None:
    row = entry["row"]

    def created(text: str, opened: str | None) -> None:
        row["created_at"] = text
        entry["opened"] = opened

    def reject(field: str, reason: str) -> None:
        entry["reject"] = {"field": field, "reason": reason}
        entry["opened"] = None

    if number == 9:
        created("2023-03-12 02:30:00", None)
        reject("created_at", "does not exist in America/New_York (spring-forward gap)")
    elif number == 21:
        created("2023-11-05 01:30:00", None)
        reject("created_at", "happens twice in America/New_York (fall-back overlap)")
    elif number == 33:
        row["status"] = "PENDING_REVIEW"
        reject("status", "unknown status code PENDING_REVIEW")
    elif number == 47:
        row["borrower_ref"] = ""
        reject("borrower_ref", "borrower_ref is empty")
    elif number == 58:
        created("03/15/2023 9:00 AM", None)
        reject("created_at", "malformed date (not YYYY-MM-DD HH:mm:ss)")
    elif number == 66:
        created("2023-02-29 10:00:00", None)
        reject("created_at", "2023-02-29 is not a calendar day")
    elif number == 75:
        row["subject"] = "   "
        reject("subject", "required case name (subject) is empty")
    elif number == 88:
        row["case_type"] = "GEN"
        row["channel"] = "Inbound phone call transferred from the collections IVR after hours"
        reject("channel", "channel is longer than legacyChannel's maxLength 40 (no truncate)")
    elif number == 97:
        row["agent_code"] = "AG-999"
        reject("agent_code", "agent code AG-999 is not in samples/lookups/agents.csv")
    elif number == 104:
        entry["unreadable"] = True
        reject("(record)", "wrong number of cells (an unquoted comma in the notes)")
    elif number == 118:
        row["case_type"] = "FRAUD"
        reject("case_type", "unknown legacy case type code FRAUD")
    elif number == 131:
        row["case_type"] = "DISP"
        row["dispute_channel"] = "FAX"
        row["channel"] = ""
        reject("dispute_channel", "dispute channel FAX is not mapped")
    # Accepted rows worth a second look.
    elif number == 12:
        row["borrower_ref"] = "BRW-9999"  # mapped here; only the target knows this borrower does not exist
    elif number == 14:
        created("2023-03-12 01:59:59.999", "2023-03-12T01:59:59.999-05:00")
    elif number == 15:
        created("2023-03-12 03:00:00", "2023-03-12T03:00:00.000-04:00")
    elif number == 16:
        created("2023-11-05 00:59:59", "2023-11-05T00:59:59.000-04:00")
    elif number == 17:
        created("2023-11-05 02:00:00", "2023-11-05T02:00:00.000-05:00")
    elif number == 25:
        created("2023-06-01T14:22:05.250-04:00", "2023-06-01T14:22:05.250-04:00")
    elif number == 26:
        created("2023-07-04 18:00:00Z", "2023-07-04T18:00:00.000Z")
    elif number == 27:
        created("2023-08-15T09:30:00+05:30", "2023-08-15T09:30:00.000+05:30")
    elif number == 28:
        created("2023-01-20T08:00:00-0500", "2023-01-20T08:00:00.000-05:00")
    elif number == 29:
        created("2023-07-15 12:00:00.5", "2023-07-15T12:00:00.500-04:00")
    elif number == 40:
        row["subject"] = "Borrower requests a full history of payments, escrow disbursements, fees and adjustments since origination, certified, for an attorney"
    elif number == 41:
        row["notes"] = "\n".join(["Call log, verbatim:"] + [f"{i:03d}: " + rng.choice(NOTE_LINES) for i in range(1, 90)])
    elif number == 42:
        row["notes"] = 'Quoted reply from borrower:\n> "I paid on the 1st, see attached"\n> "please, stop calling"\n\nCR/LF inside:\r\nline after CRLF'


def main() -> None:
    entries = []
    for index in range(1, ROWS + 1):
        entry = base_row(index)
        twist(index, entry)
        entries.append(entry)

    lines = []
    expected = {}
    line = 2  # line 1 is the header
    for entry in entries:
        row = entry["row"]
        if entry.get("unreadable"):
            cells = [quote(row[name]) for name in HEADER]
            cells[HEADER.index("notes")] = "Called borrower, left voicemail"
            text = ",".join(cells)
        else:
            text = ",".join(quote(row[name]) for name in HEADER)
        expected[str(line)] = {
            "caseId": row["case_id"],
            "openedAt": entry["opened"],
            "reject": entry["reject"],
        }
        lines.append(text)
        line += 1 + text.count("\n")

    content = "\ufeff" + "\r\n".join([",".join(HEADER)] + lines) + "\r\n"
    (HERE / "legacy-cases.csv").write_bytes(content.encode("utf-8"))
    (HERE / "legacy-cases.expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")

    rejects = [(int(l), e) for l, e in expected.items() if e["reject"] is not None]
    md = [
        "# Expected rejects in legacy-cases.csv",
        "",
        "Generated by `generate.py` (do not edit by hand). Line numbers are physical lines of the",
        "file (line 1 is the header; a row with a multi-line note spans several lines and is",
        "named by the line it starts on). Each reject has a different reason. Every other row maps;",
        f"{len(entries) - len(rejects)} of {len(entries)} rows are accepted by `mappings/legacy-csv-to-peach.yaml`.",
        "",
        "| line | case_id | field | why |",
        "|---:|---|---|---|",
    ]
    for line_number, entry in sorted(rejects):
        md.append(f"| {line_number} | {entry['caseId']} | `{entry['reject']['field']}` | {entry['reject']['reason']} |")
    nine = next(l for l, e in expected.items() if e["caseId"] == "LC-100012")
    md += [
        "",
        f"Not rejected here: line {nine} (LC-100012) names borrower BRW-9999, which does not exist in the",
        "sandbox. The mapping cannot know that; the planner finds it when it looks the borrower up.",
        "",
    ]
    (HERE / "EXPECTED_REJECTS.md").write_text("\n".join(md))


if __name__ == "__main__":
    main()

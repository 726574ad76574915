"""The Captain's audit rules (§7.A): what a monthly or weekly review looks for.

Every search of the period, the department's own (``queries.Search``) and those
imported from vendor audit exports (``VendorSearch``), is first copied into one
scratch table, ``audit_rows``, with the same columns (see ``AUDIT_ROWS``). Each
rule is then one function registered with ``@rule(...)``:

* a **SQL rule** (``kind="sql"``) returns a SELECT over ``audit_rows`` giving the
  columns of ``FINDING_SELECT``; the database does the work, so a month of a million
  searches is audited in seconds. It returns ``None`` when the period holds
  nothing it could find (vendors' rules in a month without vendors' searches);
* a **Python rule** (``kind="python"``) yields ``Hit``s; it may read
  ``ctx.search_rows()`` or its own models between ``ctx.start`` and ``ctx.end``.

Free-text checks (vague reasons, prohibited terms, personal data, case numbers in
the reason) run in Python once per *distinct* text via ``ctx.reason_table``, and
their verdicts are joined back in SQL. Rules are configurable:
``settings.FLOCKGOV_AUDIT_RULES`` maps a rule's name to overrides of its
parameters (``{"enabled": False}`` turns one off).
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

# The columns every rule's SELECT returns, in this order.
FINDING_SELECT = (
    "subject_type, subject_id, subject_at, officer_id, actor_label, detail, severity"
)
# Shorthand for a rule's SELECT list over ``audit_rows r``.
ROW = "r.subject_type, r.id, r.at, r.officer_id, left(r.actor_label, 200)"


@dataclass(slots=True)
class SearchRow:
    """One row of ``audit_rows``, for Python rules."""

    subject_type: str
    id: int
    at: datetime
    source: str  # "own", or the vendor export kind: "org", "network", "portal"
    actor_key: str
    actor_label: str
    officer_id: int | None
    purpose: str
    case_number: str
    reason: str
    plate: str
    lookback: timedelta | None
    local_minute: int
    local_day: Any
    networks: int | None
    organisation_id: int | None
    has_case_column: bool


@dataclass(frozen=True)
class Hit:
    subject_type: str
    subject_id: int
    subject_at: datetime
    detail: str
    officer_id: int | None = None
    actor_label: str = ""
    severity: str | None = None  # the rule's own severity unless given

    @classmethod
    def about(cls, row: SearchRow, detail: str, **extra: Any) -> "Hit":
        return cls(
            subject_type=row.subject_type,
            subject_id=row.id,
            subject_at=row.at,
            detail=detail[:300],
            officer_id=row.officer_id,
            actor_label=row.actor_label,
            **extra,
        )


class AuditContext:
    """The period under audit and the database cursor holding ``audit_rows``."""

    def __init__(
        self,
        *,
        label: str,
        start: datetime,
        end: datetime,
        cursor,
        now: datetime | None = None,
        vendor_rows: int | None = None,
    ) -> None:
        self.label = label  # e.g. "2026-03"; seeds the random sample
        self.start = start
        self.end = end
        self.cursor = cursor
        # The run's clock: rules judging records still open (an active hot-list
        # entry, a network grant) judge them up to the earlier of ``end`` and this.
        self.now = now or timezone.now()
        # How many of the rows are vendors' searches (None: not counted).
        self.vendor_rows = vendor_rows
        # Scratch tables made so far, with their sizes, and the period's
        # distinct reasons, read once for every text check.
        self._sizes: dict[str, int] = {}
        self._reasons: list[str] | None = None

    def reason_table(self, name: str, judge: Callable[[str], str]) -> str:
        """A scratch table (reason, detail) of every distinct reason in the period
        that ``judge`` flags (returns a non-empty detail for)."""
        table = f"audit_reason_{name}"
        if table not in self._sizes:
            if self._reasons is None:
                self.cursor.execute("SELECT DISTINCT reason FROM audit_rows")
                self._reasons = [text for (text,) in self.cursor.fetchall()]
            flagged = []
            for text in self._reasons:
                detail = judge(text or "")
                if detail:
                    flagged.append((text, detail[:300]))
            self._fill(table, ("reason", "detail"), flagged)
        return table

    def distinct_table(
        self, column: str, name: str, flag: Callable[[str], bool]
    ) -> str:
        """A scratch table (value) of every distinct non-blank value of
        ``audit_rows.column`` that ``flag`` is true for."""
        table = f"audit_distinct_{name}"
        if table not in self._sizes:
            self.cursor.execute(f"SELECT DISTINCT {column} FROM audit_rows")  # noqa: S608
            flagged = [
                (v,) for (v,) in self.cursor.fetchall() if v and v.strip() and flag(v)
            ]
            self._fill(table, ("value",), flagged)
        return table

    def _fill(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        # The first column is the key the rules join on. One INSERT of arrays:
        # a month can flag tens of thousands of distinct values.
        spec = ", ".join(
            f"{c} text{' PRIMARY KEY' if i == 0 else ''}" for i, c in enumerate(columns)
        )
        self.cursor.execute(f"CREATE TEMP TABLE {table} ({spec}) ON COMMIT DROP")
        if rows:
            arrays = ", ".join("unnest(%s::text[])" for _ in columns)
            self.cursor.execute(
                f"INSERT INTO {table} SELECT {arrays}",  # noqa: S608
                [list(values) for values in zip(*rows, strict=True)],
            )
        self.cursor.execute(f"ANALYZE {table}")
        self._sizes[table] = len(rows)

    def scratch_table(self, name: str, select: str, params: dict) -> str:
        """A scratch table ``audit_<name>`` holding what ``select`` returns, with
        its statistics: the planner then knows how small it is, which a common
        table expression does not always tell it."""
        table = f"audit_{name}"
        if table not in self._sizes:
            self.cursor.execute(
                f"CREATE TEMP TABLE {table} ON COMMIT DROP AS {select}", params
            )
            self._sizes[table] = self.cursor.rowcount
            self.cursor.execute(f"ANALYZE {table}")
        return table

    def flagged(self, table: str) -> int:
        """How many rows a scratch table of this context holds: a rule leaves
        out the join of an empty one."""
        return self._sizes[table]

    def scratch_tables(self) -> list[str]:
        return list(self._sizes)

    def search_rows(self) -> Iterator[SearchRow]:
        self.cursor.execute(
            "SELECT subject_type, id, at, source, actor_key, actor_label, officer_id, "
            "purpose, case_number, reason, plate, lookback, local_minute, local_day, "
            "networks, organisation_id, has_case_column FROM audit_rows ORDER BY at, id"
        )
        for values in self.cursor.fetchall():
            yield SearchRow(*values)


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    severity: str
    policy: str
    kind: str  # "sql" or "python"
    func: Callable[..., Any]
    defaults: dict[str, Any]

    def params(self) -> dict[str, Any]:
        overrides = getattr(settings, "FLOCKGOV_AUDIT_RULES", {}).get(self.name, {})
        return {"enabled": True, **self.defaults, **overrides}

    @property
    def enabled(self) -> bool:
        return bool(self.params()["enabled"])


RULES: dict[str, Rule] = {}


def rule(
    name: str,
    *,
    label: str,
    severity: str,
    policy: str,
    kind: str = "sql",
    **defaults: Any,
) -> Callable:
    """Registers an audit rule under ``name`` with its default parameters."""
    if kind not in ("sql", "python"):
        raise ValueError(f"audit rule {name!r}: kind must be 'sql' or 'python'")

    def register(func: Callable) -> Callable:
        if name in RULES:
            raise ValueError(f"audit rule {name!r} registered twice")
        RULES[name] = Rule(name, label, severity, policy, kind, func, defaults)
        return func

    return register


def enabled_rules() -> list[Rule]:
    return [r for r in RULES.values() if r.enabled]


# --- Text checks, memoised per distinct text (reasons repeat a great deal) ------

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


def normalise_reason(text: str) -> str:
    return _SPACE.sub(" ", _NOT_WORD.sub(" ", text.lower())).strip()


DEFAULT_VAGUE_LEXICON = [
    "inv",
    "invest",
    "investigation",
    "investigative",
    "investigations",
    "criminal investigation",
    "active investigation",
    "bolo",
    "uuv",
    "test",
    "testing",
    "property crime",
    "crime",
    "suspicious",
    "suspicious vehicle",
    "susp",
    "other",
    "na",
    "n a",
    "none",
    "case",
    "search",
    "info",
    "intel",
    "patrol",
    "check",
    "follow up",
    "followup",
    "daytime search for best result",
    "d",
    "person crime",
    "person crimes",
    "property crimes",
    "felony person crime",
    "felony property crime",
    "felony theft",
    "warrant",
    "welfare check",
    "missing person",
    "camera test",
    "administrative test",
]


@lru_cache(maxsize=200_000)
def vague_reason(text: str, lexicon: frozenset[str], min_letters: int) -> str:
    """Why ``text`` says too little to justify a search, or ''."""
    normal = normalise_reason(text)
    if not normal:
        return "no reason given" if not text.strip() else "reason is punctuation only"
    if normal in lexicon:
        return f"reason is a bare word or placeholder ({normal[:40]!r})"
    letters = sum(ch.isalpha() for ch in normal)
    if letters == 0:
        return "reason is a number only"
    if letters < min_letters:
        return f"reason too short ({letters} letters; at least {min_letters} expected)"
    return ""


def _case_core() -> str:
    return settings.FLOCKGOV_CASE_NUMBER_PATTERN.lstrip("^").rstrip("$")


@lru_cache(maxsize=8)
def _case_in_text(core: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w-])(?:{core})(?![\w-])"
        # A bare run of 6 to 8 digits reads as a report number too.
        r"|(?<![\w-])\d{6,8}(?![\w-])"
        r"|\b(?:case|cn|inc|incident|rpt|report)\s*(?:no\.?|number|#)?\s*:?\s*"
        r"[a-z]{0,3}[-\d]*\d{4,}",
        re.IGNORECASE,
    )


@lru_cache(maxsize=8)
def _case_number_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=200_000)
def case_typed_in_reason(text: str) -> bool:
    return bool(_case_in_text(_case_core()).search(text))


_DATE = re.compile(
    r"\b(?:(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})|(\d{4})-(\d{1,2})-(\d{1,2}))\b"
)
_DOB_WORD = re.compile(r"\b(?:dob|d\.o\.b|born|birth\s*date|date\s+of\s+birth)\b", re.I)
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\bssn\s*#?:?\s*\d{9}\b", re.I)
_PHONE = re.compile(r"(?<![\d-])(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\d-])")


@lru_cache(maxsize=200_000)
def personal_data(text: str, birth_year_before: int) -> str:
    """Which kind of personal data ``text`` seems to hold, or ''."""
    if _SSN.search(text):
        return "a social security number"
    if _PHONE.search(text):
        return "a phone number"
    has_dob_word = bool(_DOB_WORD.search(text))
    for match in _DATE.finditer(text):
        year_text = match[3] or match[4]
        year = int(year_text)
        if len(year_text) == 2:
            year += 1900 if year > 30 else 2000
        if has_dob_word or year < birth_year_before:
            return "a date of birth"
    if has_dob_word and re.search(r"\d", text):
        return "a date of birth"
    return ""


# --- The rules ---------------------------------------------------------------------


# --- The rules ---------------------------------------------------------------------
# Each SQL rule returns (sql, params); the SELECT gives FINDING_SELECT's columns.

SqlRule = tuple[str, dict[str, Any]] | None


def _no_vendor_rows(ctx: AuditContext) -> bool:
    return ctx.vendor_rows == 0


def _reason_findings(
    ctx: AuditContext, name: str, judge: Callable[[str], str]
) -> SqlRule:
    """A finding for each search whose reason ``judge`` finds fault with, its
    answer as the detail; ``judge`` runs once per distinct reason."""
    table = ctx.reason_table(name, judge)
    return (
        f"SELECT {ROW}, v.detail, NULL FROM audit_rows r "  # noqa: S608
        f"JOIN {table} v ON v.reason = r.reason",
        {},
    )


@rule(
    "vague_reason",
    label="Missing or vague reason",
    severity="medium",
    policy="§3 (all information needed for the audit trail)",
    lexicon=DEFAULT_VAGUE_LEXICON,
    min_letters=10,
)
def vague_reason_rule(ctx: AuditContext, params: dict) -> SqlRule:
    lexicon = frozenset(normalise_reason(word) for word in params["lexicon"])
    return _reason_findings(
        ctx, "vague", lambda text: vague_reason(text, lexicon, params["min_letters"])
    )


@rule(
    "case_number",
    label="Case number missing, malformed or typed into the reason",
    severity="medium",
    policy="§3.A/B",
    flag_vendor_missing=False,
)
def case_number_rule(ctx: AuditContext, params: dict) -> SqlRule:
    typed = ctx.reason_table(
        "case", lambda text: "typed" if case_typed_in_reason(text) else ""
    )
    # The department's pattern is a Python regular expression: it is applied in
    # Python, once per distinct case number (a tenth of the rows, and far cheaper
    # than PostgreSQL's regular expressions row by row).
    malformed = ctx.distinct_table(
        "case_number",
        "malformed_case",
        lambda value: (
            not _case_number_pattern(settings.FLOCKGOV_CASE_NUMBER_PATTERN).search(
                value.strip(" ").upper()
            )
        ),
    )
    # Each check in order, the first that applies naming the finding. A scratch
    # table that flagged nothing is left out with its check: joining a month's
    # searches to an empty table costs as much as joining them to a full one.
    checks = [
        "WHEN r.source = 'own' AND trim(r.case_number) = '' "
        "  AND r.purpose IN ('A', 'B') "
        "  THEN 'purpose ' || r.purpose || ' without a case number' "
    ]
    joins = []
    if ctx.flagged(malformed):
        # Only non-blank case numbers are ever flagged as malformed.
        checks.append(
            "WHEN r.source IN ('own', 'org', 'portal') AND m.value IS NOT NULL "
            "  THEN 'case number not in the department''s format' "
        )
        joins.append(f"LEFT JOIN {malformed} m ON m.value = r.case_number")
    typed_any = ctx.flagged(typed) > 0
    if params["flag_vendor_missing"]:
        checks.append(
            "WHEN r.source IN ('org', 'portal') AND trim(r.case_number) = '' "
            "  AND r.has_case_column "
            + ("AND c.reason IS NULL " if typed_any else "")
            + "  THEN 'no case number' "
        )
    if typed_any:
        checks.append(
            "WHEN c.reason IS NOT NULL THEN 'a case number was typed into the reason' "
        )
        joins.append(f"LEFT JOIN {typed} c ON c.reason = r.reason")
    return (
        f"SELECT * FROM (SELECT {ROW}, CASE {''.join(checks)}"  # noqa: S608
        f"END AS detail, NULL FROM audit_rows r {' '.join(joins)}"
        ") q WHERE q.detail IS NOT NULL",
        {},
    )


@rule(
    "prohibited_purpose",
    label="Prohibited purpose (§6.B)",
    severity="high",
    policy="§6.B",
)
def prohibited_purpose_rule(ctx: AuditContext, params: dict) -> SqlRule:
    from queries.criteria import screen
    from queries.models import ProhibitedTerm

    terms = list(ProhibitedTerm.objects.filter(active=True))

    def judge(text: str) -> str:
        hit = screen(text, terms)
        return f"reason names {hit.category_label.lower()}: {hit.term}" if hit else ""

    return _reason_findings(ctx, "prohibited", judge)


@rule(
    "personal_data",
    label="Personal data typed into free text",
    severity="medium",
    policy="§10.C",
    min_age_years=10,
)
def personal_data_rule(ctx: AuditContext, params: dict) -> SqlRule:
    before = ctx.end.year - params["min_age_years"]

    def judge(text: str) -> str:
        what = personal_data(text, before)
        return f"the reason seems to hold {what}" if what else ""

    return _reason_findings(ctx, "personal", judge)


@rule(
    "repeated_plate",
    label="Same plate searched repeatedly without a case",
    severity="medium",
    policy="§3, §6.B",
    threshold=3,
)
def repeated_plate_rule(ctx: AuditContext, params: dict) -> SqlRule:
    # Masked plates and wildcard patterns say nothing about one vehicle. Counted
    # by grouping, then joined back: hashing the searches without a case is far
    # cheaper than sorting them for a window count.
    return (
        "WITH plain AS MATERIALIZED ("
        "  SELECT r.subject_type, r.id, r.at, r.officer_id, r.actor_label,"
        '    r.actor_key, upper(trim(r.plate)) COLLATE "C" AS plate'
        # In a CASE so that the pattern test runs only on searches without a
        # case: the planner would otherwise run it first, on every search.
        "  FROM audit_rows r WHERE CASE WHEN trim(r.case_number) = '' "
        "  THEN trim(r.plate) <> '' AND r.plate !~ '[*?%%_]' ELSE false END"
        "), repeated AS ("
        "  SELECT actor_key, plate, count(*) AS n FROM plain"
        "  GROUP BY actor_key, plate HAVING count(*) >= %(threshold)s"
        ") SELECT subject_type, id, at, officer_id, actor_label, "
        "'one of ' || n || ' searches of the same plate, no case', NULL "
        "FROM plain JOIN repeated USING (actor_key, plate)",
        {"threshold": params["threshold"]},
    )


@rule(
    "burst_after_idle",
    label="Burst of searches after a long idle stretch",
    severity="medium",
    policy="§7.A",
    idle_days=14,
    burst_count=10,
    burst_minutes=60,
)
def burst_after_idle_rule(ctx: AuditContext, params: dict) -> SqlRule:
    # A start is a search coming ``idle_days`` or more after the same person's
    # previous one (within the period, or their last before it); the burst is every
    # search of theirs within ``burst_minutes`` of the start.
    #
    # Only a person's first search of a UTC day can be a start: any later one
    # follows a search of the same day, less than a day before. So the month is
    # first reduced to each person's first and last search per day, and the gaps
    # are measured between those few rows instead of sorting every search.
    if params["idle_days"] < 1:
        raise ValueError(
            "audit rule burst_after_idle: idle_days must be at least 1 "
            f"(FLOCKGOV_AUDIT_RULES gives {params['idle_days']!r})"
        )
    return (
        "WITH days AS ("
        "  SELECT actor_key, (at AT TIME ZONE 'UTC')::date AS day,"
        "    min(at) AS first_at, max(at) AS last_at"
        "  FROM audit_rows GROUP BY actor_key, (at AT TIME ZONE 'UTC')::date"
        "), gaps AS ("
        "  SELECT d.actor_key, d.first_at AS start_at, coalesce(lag(d.last_at) OVER ("
        "    PARTITION BY d.actor_key ORDER BY d.day), lb.last_at) AS prev"
        "  FROM days d LEFT JOIN audit_last_before lb USING (actor_key)"
        "), starts AS ("
        "  SELECT actor_key, start_at, prev FROM gaps"
        "  WHERE start_at - prev >= make_interval(days => %(idle)s)"
        "), bursts AS ("
        "  SELECT r.*, s.start_at, s.prev,"
        "    count(*) OVER (PARTITION BY r.actor_key, s.start_at) AS n"
        "  FROM starts s JOIN audit_rows r ON r.actor_key = s.actor_key"
        "   AND r.at >= s.start_at"
        "   AND r.at <= s.start_at + make_interval(mins => %(span)s)"
        # Checked once, before the join: most months have no start at all, and
        # then the month is not read a second time.
        "  WHERE EXISTS (SELECT FROM starts)"
        ") SELECT DISTINCT ON (subject_type, id) subject_type, id, at, "
        "officer_id, actor_label, n || ' searches within ' || %(span)s || "
        "' min after ' || extract(day FROM start_at - prev)::int || "
        "' days without any', NULL FROM bursts WHERE n >= %(count)s "
        "ORDER BY subject_type, id, start_at",
        {
            "idle": params["idle_days"],
            "span": params["burst_minutes"],
            "count": params["burst_count"],
        },
    )


def _minutes(value: str | time) -> int:
    if isinstance(value, str):
        hours, minutes = value.split(":")
        return int(hours) * 60 + int(minutes)
    return value.hour * 60 + value.minute


def on_shift(minute: int, start: int, end: int, grace: int) -> bool:
    """Whether a minute of the day falls within a shift (which may cross
    midnight), allowing ``grace`` minutes either side. The SQL of ``off_shift``
    computes the same."""
    day = 24 * 60
    if (end - start) % day == 0:
        return True
    length = (end - start) % day
    offset = (minute - start + grace) % day
    return offset <= length + 2 * grace


@rule(
    "off_shift",
    label="Search outside the officer's shift",
    severity="low",
    policy="§7.A",
    normal_hours=("06:00", "22:00"),
    grace_minutes=30,
)
def off_shift_rule(ctx: AuditContext, params: dict) -> SqlRule:
    has_shift = "(o.shift_start IS NOT NULL AND o.shift_end IS NOT NULL)"
    start = (
        f"CASE WHEN {has_shift} THEN (extract(hour FROM o.shift_start) * 60 + "
        "extract(minute FROM o.shift_start))::int ELSE %(normal_start)s END"
    )
    end = (
        f"CASE WHEN {has_shift} THEN (extract(hour FROM o.shift_end) * 60 + "
        "extract(minute FROM o.shift_end))::int ELSE %(normal_end)s END"
    )
    # Each account's shift in minutes of the day, worked out once per account
    # (materialised: folded into the join, it would be worked out per search).
    # Accounts whose shift covers the whole day cannot search outside it.
    return (
        "WITH shifts AS MATERIALIZED ("  # noqa: S608
        f"  SELECT o.id, {has_shift} AS shifted, {start} AS s,"
        f"    (({end} - {start}) %% 1440 + 1440) %% 1440 AS length"
        "  FROM accounts_officer o"
        ") SELECT r.subject_type, r.id, r.at, r.officer_id, r.actor_label, "
        "'search at ' || lpad((r.local_minute / 60)::text, 2, '0') || ':' || "
        "lpad((r.local_minute %% 60)::text, 2, '0') || ', outside ' || "
        "CASE WHEN w.shifted THEN 'the shift' ELSE 'normal hours' END, NULL "
        "FROM audit_rows r JOIN shifts w ON w.id = r.officer_id "
        "WHERE w.length <> 0 "
        "AND ((r.local_minute - w.s + %(grace)s) %% 1440 + 1440) %% 1440 "
        "  > w.length + 2 * %(grace)s",
        {
            "normal_start": _minutes(params["normal_hours"][0]),
            "normal_end": _minutes(params["normal_hours"][1]),
            "grace": params["grace_minutes"],
        },
    )


@rule(
    "lookback_past_retention",
    label="Search window reaching back past the retention period",
    severity="medium",
    policy="§8.A",
)
def lookback_rule(ctx: AuditContext, params: dict) -> SqlRule:
    days = settings.FLOCKGOV_READ_RETENTION_DAYS
    return (
        f"SELECT {ROW}, 'window reached back ' || "  # noqa: S608
        "extract(day FROM r.lookback)::int || ' days (retention ' || %(days)s || "
        "' days)', NULL FROM audit_rows r "
        "WHERE r.lookback > make_interval(days => %(days)s)",
        {"days": days},
    )


@rule(
    "scope_beyond_virginia",
    label="Search scope beyond Virginia",
    severity="high",
    policy="§9.B.2",
    max_networks=1,
)
def scope_rule(ctx: AuditContext, params: dict) -> SqlRule:
    # The department's own searches only ever reach its own cameras, so this rule
    # reads the vendor's exports, whose network counts say how far a search went.
    if _no_vendor_rows(ctx):
        return None
    return (
        f"SELECT {ROW}, 'searched ' || r.networks || ' networks (at most ' || "  # noqa: S608
        "%(max)s || ' are the department''s and Virginia''s)', NULL "
        "FROM audit_rows r WHERE r.source <> 'own' AND r.networks > %(max)s",
        {"max": params["max_networks"]},
    )


@rule(
    "outside_agency",
    label="Outside organisation (other state, federal, non-police) searching",
    severity="high",
    policy="§9.B.2, §9.C.1",
)
def outside_agency_rule(ctx: AuditContext, params: dict) -> SqlRule:
    if _no_vendor_rows(ctx):
        return None
    return (
        f"SELECT {ROW}, CASE WHEN o.id IS NULL OR o.needs_classification "  # noqa: S608
        "THEN 'searching organisation not yet classified' "
        "ELSE 'searched by ' || o.name || ' (' || o.jurisdiction || ', ' || o.kind "
        "|| ')' END, CASE WHEN o.id IS NULL OR o.needs_classification "
        "THEN 'medium' END FROM audit_rows r "
        "LEFT JOIN sharing_organisation o ON o.id = r.organisation_id "
        "WHERE r.source = 'network' AND (o.id IS NULL OR o.needs_classification "
        "OR NOT (o.jurisdiction = 'virginia' AND o.kind = 'law_enforcement'))",
        {},
    )


@rule(
    "sample",
    label="Random sample for manual review",
    severity="low",
    policy="§7.A",
    rate=0.02,
    minimum=2,
)
def sample_rule(ctx: AuditContext, params: dict) -> SqlRule:
    # Each person's sample is their k records with the smallest hash of period,
    # person and record: the same run picks the same sample, and nobody can
    # predict it without the records. Only records whose hash falls below a
    # generous per-person threshold are ranked (a month's million rows are never
    # sorted); a person with too few below it has all their records ranked.
    # PostgreSQL's own 64-bit hash of the record's id, seeded by the period and
    # the kind of record: far cheaper than hashing text over a month, and as
    # reproducible on the same server (a re-run keeps the findings already made
    # in any case).
    hashed = (
        "(hashint8extended(r.id, hashtext(%(label)s) + CASE r.subject_type "
        "WHEN 'queries.search' THEN 0 ELSE 1 END) & 1152921504606846975)"
    )
    sampled = "r.source IN ('own', 'org', 'portal')"
    picked = "r.subject_type, r.id, r.at, r.officer_id, r.actor_label, r.actor_key"
    limits = ctx.scratch_table(
        "sample_limits",
        "SELECT actor_key, n, k, (least(1.0, (4.0 * k + 10) / n)"  # noqa: S608
        "  * 1152921504606846975)::bigint AS threshold FROM ("
        "  SELECT actor_key, n,"
        "    least(n, greatest(%(minimum)s, ceil(%(rate)s * n)))::bigint AS k"
        f"  FROM (SELECT r.actor_key, count(*) AS n FROM audit_rows r WHERE {sampled}"
        "    GROUP BY r.actor_key) counts"
        ") quotas",
        {"minimum": params["minimum"], "rate": params["rate"]},
    )
    return (
        "WITH candidates AS MATERIALIZED ("  # noqa: S608
        f"  SELECT {picked}, {hashed} AS h, l.k"
        f"  FROM audit_rows r JOIN {limits} l USING (actor_key)"
        f"  WHERE {sampled} AND {hashed} < l.threshold"
        "), short AS ("
        f"  SELECT l.actor_key FROM {limits} l LEFT JOIN ("
        "    SELECT actor_key, count(*) AS n FROM candidates GROUP BY actor_key"
        "  ) c USING (actor_key) WHERE coalesce(c.n, 0) < l.k"
        "), pool AS ("
        "  SELECT * FROM candidates UNION ALL"
        f"  SELECT {picked}, {hashed}, l.k"
        f"  FROM audit_rows r JOIN {limits} l USING (actor_key)"
        f"  WHERE {sampled} AND {hashed} >= l.threshold"
        "  AND r.actor_key IN (SELECT actor_key FROM short)"
        "), ranked AS ("
        "  SELECT pool.*, row_number() OVER ("
        "    PARTITION BY actor_key ORDER BY h, id) AS rn FROM pool"
        ") SELECT subject_type, id, at, officer_id, actor_label, "
        "'picked at random for manual review', NULL FROM ranked WHERE rn <= k",
        {"label": ctx.label},
    )


def _person(officer) -> str:
    return officer.username if officer is not None else ""


@rule(
    "hotlist_unverified",
    label="Custom hot-list entry not re-verified within 24 hours",
    severity="medium",
    policy="§4.B",
    kind="python",
)
def hotlist_unverified_rule(ctx: AuditContext, params: dict) -> Iterator[Hit]:
    """A custom (or AMBER) entry must be re-verified at least every 24 hours
    (``FLOCKGOV_HOTLIST_MAX_ENTRY_HOURS``). Two ways to break that show in the data:

    * the entry stayed active (neither expired nor removed) more than the limit
      after its entry or last re-verification; active for exactly the limit is
      allowed (expiry is exclusive);
    * the entry lapsed (expired, was removed, or passed the limit) and still
      raised alerts afterwards: it was used without re-verification.

    One finding per entry, in the period holding the first moment it broke the
    rule; the subject is the entry and the officer the one who entered it.
    """
    from hotlists.models import Alert, HotList, HotListEntry

    limit = timedelta(hours=settings.FLOCKGOV_HOTLIST_MAX_ENTRY_HOURS)
    # What happened after the run cannot be judged yet; an open entry is judged
    # up to the end of the period or now, whichever is earlier.
    horizon = min(ctx.end, ctx.now)
    entries = (
        HotListEntry.objects.exclude(hotlist__source=HotList.Source.NCIC)
        .filter(entered_at__lt=horizon)
        .select_related("hotlist", "entered_by")
    )
    # Alerts of custom entries are few (NCIC's are not read here); all of an
    # entry's alerts are read so that its *first* late use is known, which keeps
    # one finding per entry across periods.
    alert_times: dict[int, list[datetime]] = {}
    for entry_id, at in (
        Alert.objects.filter(entry__in=entries, created_at__lt=horizon)
        .order_by("created_at")
        .values_list("entry_id", "created_at")
    ):
        alert_times.setdefault(entry_id, []).append(at)
    alerted_now = [
        pk for pk, times in alert_times.items() if any(t >= ctx.start for t in times)
    ]
    since = ctx.start - limit
    candidates = entries.filter(
        (Q(removed_at__isnull=True) | Q(removed_at__gt=since))
        & (Q(expires_at__isnull=True) | Q(expires_at__gt=since))
        | Q(pk__in=alerted_now)
    )
    for entry in candidates:
        anchor = max(entry.entered_at, entry.verified_at or entry.entered_at)
        due = anchor + limit
        stops = [t for t in (entry.expires_at, entry.removed_at) if t is not None]
        active_until = min(stops) if stops else horizon
        lapsed_at = min([due, *stops])
        problems: list[tuple[datetime, str]] = []
        if active_until > due:
            hours = (active_until - anchor).total_seconds() / 3600
            since = "re-verification" if entry.verified_at else "entry"
            still = "" if stops else "; still active"
            problems.append(
                (due, f"active {hours:.1f} h after its last {since}{still}")
            )
        used = [at for at in alert_times.get(entry.pk, []) if at >= lapsed_at]
        if used:
            problems.append(
                (
                    used[0],
                    f"{len(used)} alert(s) after it lapsed without re-verification "
                    f"at {lapsed_at:%Y-%m-%d %H:%M:%S} UTC",
                )
            )
        if not problems:
            continue
        first = min(at for at, _ in problems)
        if not ctx.start <= first < ctx.end:
            continue
        yield Hit(
            subject_type="hotlists.entry",
            subject_id=entry.pk,
            subject_at=first,
            detail=f"{entry.hotlist.name}: " + "; ".join(d for _, d in problems),
            officer_id=entry.entered_by_id,
            actor_label=_person(entry.entered_by),
            severity="high" if used else None,
        )


@rule(
    "share_without_ground",
    label="Share without an approved ground",
    severity="high",
    policy="§9.B, §9.C",
    kind="python",
)
def share_without_ground_rule(ctx: AuditContext, params: dict) -> Iterator[Hit]:
    """What §9 forbids that could still be in the sharing data, judged with the
    same rules the sharing services enforce (``sharing.rules``):

    * a dissemination without an approved request (vendor maintenance access is
      recorded without one, on ground 5 only), sent before the approval, on
      another ground than the one approved, before the receiving agency's written
      acknowledgment, or to a recipient the ground does not admit or §9.B.2 bars;
    * a request approved by its own requester or by someone who may not approve;
    * network query access granted to anyone but a Virginia law-enforcement
      agency, or left active past its monthly review.
    """
    from accounts.roles import Role
    from audits.events import EventType
    from audits.models import AuditEvent
    from sharing.models import Dissemination, NetworkAccessGrant, SharingRequest
    from sharing.rules import GROUND_KINDS, Ground, needs_acknowledgment
    from sharing.rules import recipient_block as blocked

    def recipient_problems(recipient, ground: int) -> list[str]:
        found = []
        block = blocked(recipient)
        if block:
            found.append(f"§9.B.2 bars {recipient.name} ({block[0].split('_', 1)[1]})")
        elif ground not in GROUND_KINDS or recipient.kind not in GROUND_KINDS[ground]:
            found.append(
                f"ground {ground} does not admit {recipient.name} "
                f"({recipient.get_kind_display().lower()})"
            )
        elif ground == Ground.LAW_ENFORCEMENT and not (
            recipient.is_virginia_law_enforcement
        ):
            found.append(f"{recipient.name} is not a Virginia law-enforcement agency")
        if recipient.needs_classification:
            found.append(f"{recipient.name} was never classified in the registry")
        return found

    def role_when_approved(req) -> str:
        # The approval's own audit record holds the approver's role at the
        # time: someone promoted to Captain since must not pass, nor a Captain
        # since moved on fail. Without the record, the account's role today.
        approval = (
            AuditEvent.objects.filter(
                event_type=EventType.SHARE_APPROVED,
                object_type=SharingRequest._meta.label_lower,
                object_id=str(req.pk),
            )
            .order_by("-seq")
            .values_list("actor_role", flat=True)
            .first()
        )
        return approval or req.decided_by.role

    def approval_problems(req) -> list[str]:
        found = []
        if req.decided_by_id is not None and req.decided_by_id == req.requested_by_id:
            found.append("approved by its own requester")
        elif req.decided_by is not None and role_when_approved(req) != Role.CAPTAIN:
            found.append(f"approved by {req.decided_by.username}, who may not approve")
        return found

    sent = Dissemination.objects.filter(
        sent_at__gte=ctx.start, sent_at__lt=ctx.end
    ).select_related(
        "recipient",
        "sent_by",
        "request__decided_by",
        "request__acknowledgment",
    )
    checked_requests: set[int] = set()
    for item in sent:
        req = item.request
        problems = recipient_problems(item.recipient, item.ground)
        if req is None:
            if item.ground != Ground.VENDOR:
                problems.append("no sharing request behind it")
        else:
            checked_requests.add(req.pk)
            approved = req.status in (
                SharingRequest.Status.APPROVED,
                SharingRequest.Status.DISSEMINATED,
            )
            if not approved or req.decided_at is None:
                problems.append(f"request {req.pk} was never approved")
            elif req.decided_at > item.sent_at:
                problems.append(f"sent before request {req.pk} was approved")
            if req.ground != item.ground:
                problems.append(
                    f"sent on ground {item.ground}, approved on ground {req.ground}"
                )
            if req.recipient_id != item.recipient_id:
                problems.append("sent to another recipient than the one approved")
            problems += approval_problems(req)
            if needs_acknowledgment(item.recipient):
                ack = getattr(req, "acknowledgment", None)
                if ack is None or ack.recorded_at > item.sent_at:
                    problems.append("sent before the recipient's acknowledgment")
        if problems:
            yield Hit(
                subject_type="sharing.dissemination",
                subject_id=item.pk,
                subject_at=item.sent_at,
                detail=f"to {item.recipient.name}: " + "; ".join(problems),
                officer_id=item.sent_by_id,
                actor_label=_person(item.sent_by),
            )
    decided = (
        SharingRequest.objects.filter(
            decided_at__gte=ctx.start,
            decided_at__lt=ctx.end,
            status__in=[
                SharingRequest.Status.APPROVED,
                SharingRequest.Status.DISSEMINATED,
            ],
        )
        .exclude(pk__in=checked_requests)
        .select_related("recipient", "decided_by", "requested_by")
    )
    for req in decided:
        problems = recipient_problems(req.recipient, req.ground) + approval_problems(
            req
        )
        if problems:
            yield Hit(
                subject_type="sharing.request",
                subject_id=req.pk,
                subject_at=req.decided_at,
                detail=f"approved for {req.recipient.name}: " + "; ".join(problems),
                officer_id=req.decided_by_id,
                actor_label=_person(req.decided_by),
            )
    review = timedelta(days=settings.FLOCKGOV_NETWORK_GRANT_REVIEW_DAYS)
    horizon = min(ctx.end, ctx.now)
    grants = (
        NetworkAccessGrant.objects.filter(granted_at__lt=horizon)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=ctx.start))
        .select_related("organisation", "granted_by")
    )
    for grant in grants:
        ends = min(t for t in (grant.expires_at, grant.revoked_at, horizon) if t)
        if ends <= ctx.start:
            continue
        problems = []
        moments = []
        org = grant.organisation
        if not org.is_virginia_law_enforcement or org.needs_classification:
            problems.append(
                f"{org.name} is not a classified Virginia law-enforcement agency"
            )
            moments.append(max(grant.granted_at, ctx.start))
        # The review moves ``reviewed_at``; a grant still open past its last
        # review plus the review period was not reviewed in time.
        review_due = grant.reviewed_at + review
        if ends > review_due:
            overdue = (ends - grant.reviewed_at).days
            problems.append(
                f"active {overdue} days after its last review "
                f"(monthly review: {review.days} days)"
            )
            moments.append(max(review_due, ctx.start))
        if problems:
            yield Hit(
                subject_type="sharing.grant",
                subject_id=grant.pk,
                subject_at=min(moments),
                detail="network access: " + "; ".join(problems),
                officer_id=grant.granted_by_id,
                actor_label=_person(grant.granted_by),
            )


def python_hits(rule_: Rule, ctx: AuditContext) -> Iterable[Hit]:
    return rule_.func(ctx, rule_.params())

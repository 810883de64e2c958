"""The complaints bench database: create it, migrate, load the demo, then bulk-load N complaints.

    .venv/bin/python -m bench.generate [--complaints N] [--force]

The database (`JIANDU_BENCH_DATABASE_URL`, default `jiandu_bench` on the local PostgreSQL) is dropped
and made anew unless it already holds a fixture of N complaints from this generator's version
(the `bench_fixture` marker table), so a second `make bench` reuses it.

The complaints are a fixture, not history: they are written by SQL (`INSERT … SELECT` over
`generate_series`), not through the services, so they have no ledger entries. What they carry is
spread like a real district's: three agencies on three seed profiles, six years of received dates
weighted to recent ones, office hours, states by age (old files concluded or archived, a small
tail left open past their period), the profile's channels and categories, and the deadlines the
services would have opened (acceptance, handling, handed-over handling, by what each profile
states), due dates from the calendar engine, closed ones met or missed by when they were closed.
The complainant's sealed identity is one fixed encrypted token (a dummy complainant) on every
non-anonymous row, and the tracking secret is the same for all rows ("BENCHSEC").
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import time
from dataclasses import asdict, astuple, dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

DEFAULT_COMPLAINTS = 1_000_000
# Bump when the generated data changes shape: an older fixture is then regenerated.
FIXTURE_VERSION = 4  # 4: complaints are matters (created_at, updated_at)
SEED = 0.2026
SPAN_DAYS = 6 * 365  # received dates over six years before today
AGE_SKEW = 1.3  # > 1: more complaints in recent years (the caseload grows)
TIMEZONE = "Asia/Shanghai"
TRACKING_SECRET = "BENCHSEC"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # the services' alphabet (no 0/O, 1/I)

# (agency code, share of complaints, channels: each listed value weighs one twentieth)
AGENCY_MIX = [
    ("demo-amr", 0.5, ["letter"] * 7 + ["phone"] * 8 + ["visit"] * 3 + ["hotline"] * 2),
    ("demo-ggzy", 0.2, ["letter"] * 8 + ["phone"] * 9 + ["visit"] * 3),
    # 梁平: every channel goes through 12345, or the justice bureau hands the matter over (交办).
    ("demo-cgzf", 0.3, ["hotline"] * 14 + ["assigned"] * 6),
]

# State by age in days: (up to this age, [(state, cumulative share)]). Recent complaints wait or are
# being handled; old ones are closed, except a small tail left open (overdue: what the list shows).
STATE_MIX = [
    (5, [("received", 0.6), ("accepted", 0.9), ("rejected", 0.95), ("referred", 1.0)]),
    (
        45,
        [("received", 0.03), ("accepted", 0.58), ("concluded", 0.88), ("rejected", 0.95), ("referred", 1.0)],
    ),
    (
        None,
        [
            ("received", 0.002),
            ("accepted", 0.012),
            ("concluded", 0.412),
            ("archived", 0.862),
            ("rejected", 0.942),
            ("referred", 1.0),
        ],
    ),
]

OPENINGS = ["本人于", "我公司于", "投诉人反映，其于", "举报人称，其于", "来电人反映，其于", "我单位于"]
PLACES = [
    "城区农贸市场",
    "某连锁超市门店",
    "某餐饮店",
    "某建筑工地",
    "城东物流园",
    "某加油站",
    "政府采购开标现场",
    "某住宅小区门口",
    "老城区主干道",
    "某药店",
]
EVENTS = [
    "接受检查时，执法人员未出示行政执法证件即要求停业整改，且拒绝说明依据。",
    "被处以罚款，执法人员当场收取现金，未开具法定罚没票据。",
    "提交的申请材料齐全，但经办人员以各种理由拖延，至今未作答复。",
    "被扣押的物品至今未按规定处理，也未出具扣押清单。",
    "执法过程中，执法人员态度恶劣，言语辱骂，并推搡当事人。",
    "有执法人员暗示需要“意思意思”才能尽快办理，并索要购物卡。",
    "同一事项在一个月内被不同科室重复检查四次，影响正常经营。",
    "对他人的违法行为多次举报，执法部门一直未予查处，也未告知处理情况。",
]
DEMANDS = [
    "请求依法调查处理并书面答复。",
    "希望纠正违法行为，退还不当收取的款项。",
    "要求对相关执法人员作出处理，并告知处理结果。",
    "请上级机关督促办理。",
    "附现场照片及缴款凭证复印件，请核实。",
]
RESULT_TEXT = "经调查核实，已将处理结果书面告知投诉举报人。"
REJECT_REASON = "投诉举报事项不属于本机关行政执法投诉举报受理范围。"
REJECT_BASIS = "本机关行政执法投诉举报制度"
REFERRED_TO = "示范区人力资源和社会保障局"


@dataclass(frozen=True)
class Fixture:
    """What the bench database holds, and whether this run made it."""

    complaints: int
    generated: bool
    seconds: float
    total_complaints: int
    open_deadlines: int
    overdue_deadlines: int


def database_url() -> str:
    """The bench database's URL, as the bench settings resolve it."""
    from bench.bench_settings import BENCH_DATABASE_URL

    if "bench" not in conninfo_to_dict(BENCH_DATABASE_URL).get("dbname", ""):
        # This module drops the database it is given: refuse one that is not plainly a bench's.
        raise SystemExit(f"refusing to use {BENCH_DATABASE_URL!r}: the database name must contain 'bench'")
    return BENCH_DATABASE_URL


def database_name() -> str:
    return conninfo_to_dict(database_url())["dbname"]


def _admin_conninfo(url: str) -> tuple[str, str]:
    """(conninfo of the server's `postgres` database, the bench database's name)."""
    params = conninfo_to_dict(url)
    name = params.pop("dbname")
    return make_conninfo(**params, dbname="postgres"), name


def _marker(url: str) -> tuple[int, int] | None:
    """(complaints, version) recorded by a finished generation, or None."""
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT complaints, version FROM bench_fixture ORDER BY created_at DESC LIMIT 1"
            ).fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None
    return (row[0], row[1]) if row else None


def _recreate_database(url: str, *, create: bool = True) -> None:
    admin, name = _admin_conninfo(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(ident))


def recreate_database(url: str) -> None:
    """Make the database `url` names anew, empty (a scratch database of another bench)."""
    _recreate_database(url)


def drop_database(url: str) -> None:
    """Drop the bench database `url` names (a scratch fixture's, after a check)."""
    _recreate_database(url, create=False)


def setup_django() -> None:
    """Configure Django with the bench settings (idempotent)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"
    import django

    django.setup()


def ensure(complaints: int, *, force: bool = False, log=print) -> Fixture:
    """The bench database with `complaints` generated complaints: reused when already there."""
    url = database_url()
    setup_django()
    from django.core.management import call_command

    if force or _marker(url) != (complaints, FIXTURE_VERSION):
        started = time.perf_counter()
        log(f"generating the bench database ({complaints:,} complaints) …")
        _recreate_database(url)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("demo", stdout=io.StringIO())
        _generate(url, complaints, log)
        seconds = time.perf_counter() - started
        with psycopg.connect(url) as conn:
            conn.execute(
                "CREATE TABLE bench_fixture (complaints integer NOT NULL, version integer NOT NULL,"
                " seconds double precision NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
            )
            conn.execute(
                "INSERT INTO bench_fixture (complaints, version, seconds) VALUES (%s, %s, %s)",
                (complaints, FIXTURE_VERSION, seconds),
            )
        generated = True
    else:
        # The app's own migrations may have moved on (a new index, say): apply them to the fixture.
        call_command("migrate", interactive=False, verbosity=0)
        with psycopg.connect(url) as conn:
            seconds = conn.execute("SELECT seconds FROM bench_fixture ORDER BY created_at DESC").fetchone()[0]
        generated = False
    with psycopg.connect(url) as conn:
        total = conn.execute("SELECT count(*) FROM complaints_complaint").fetchone()[0]
        open_, overdue = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE due_date < (now() AT TIME ZONE %s)::date)"
            " FROM deadlines_deadline WHERE closed_at IS NULL",
            (TIMEZONE,),
        ).fetchone()
    return Fixture(complaints, generated, seconds, total, open_, overdue)


# ---------------------------------------------------------------------------------- generation


@dataclass(frozen=True)
class _Rule:
    """A period the services open on a complaint, as the agency's profile states it."""

    agency_id: int
    key: str
    title: str
    start_on: str  # "received" | "decided"
    closes_on: str  # "decided" | "concluded"
    assigned: bool | None  # only handed-over complaints (True), only the others (False), or any
    amount: int
    unit: str
    citation: str


def _rules(agency) -> list[_Rule]:
    """The periods `complaints.services` opens for this agency's complaints, per its profile."""
    from jiandu.orgs.profiles import profile_for

    profile = profile_for(agency)
    # (key, title suffix, counted from, closed by, which complaints): mirrors submit_complaint and
    # accept_complaint — acceptance and handed-over handling at intake, handling on acceptance.
    specs = [
        ("complaint.acceptance", " 受理审查", "received", "decided", None),
        ("complaint.handling", " 审查终结", "decided", "concluded", False),
        ("complaint.assigned.handling", " 交办事项办结", "received", "concluded", True),
    ]
    rules = []
    for key, title, start_on, closes_on, assigned in specs:
        if profile.has(key):
            period = profile.period(key)
            rules.append(
                _Rule(
                    agency.pk,
                    key,
                    title,
                    start_on,
                    closes_on,
                    assigned,
                    period.amount,
                    period.unit,
                    str(period.citation),
                )
            )
    return rules


def _tracking_code_sql(column: str) -> str:
    """A unique 12-character code from an id: 'B' + 55 bits of a bijective scramble of the id.

    An odd multiplier modulo 2**55, then folding the low bits into the high ones (an invertible
    xorshift), permutes the ids: the codes look random yet never collide with each other (a random
    one from the services could, with odds of about 1 in 10**12).
    """
    product = f"(({column} * 25214903917) & 36028797018963967)"
    scrambled = f"({product} # (({product} & 268435455) << 27))"
    chars = [f"substr('{CODE_ALPHABET}', (({scrambled} >> {5 * k}) & 31)::int + 1, 1)" for k in range(11)]
    return "'B' || " + " || ".join(chars)


def _case(column: str, choices: list[tuple[str, float]]) -> str:
    whens = " ".join(f"WHEN {column} < {share} THEN '{value}'" for value, share in choices[:-1])
    return f"CASE {whens} ELSE '{choices[-1][0]}' END"


def _state_sql() -> str:
    parts = []
    for max_age, choices in STATE_MIX:
        branch = _case("r_state", choices)
        parts.append(f"WHEN age <= {max_age} THEN {branch}" if max_age is not None else f"ELSE {branch}")
    return "CASE " + " ".join(parts) + " END"


def _generate(url: str, n: int, log) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from jiandu.calendar import Unit
    from jiandu.complaints.models import Complaint
    from jiandu.complaints.services import Complainant, categories_for, handles_complaints, secret_digest
    from jiandu.core import crypto
    from jiandu.deadlines.calendar_source import get_calendar
    from jiandu.orgs.models import Agency, Person, Role
    from jiandu.orgs.profiles import profile_for

    now = timezone.now()
    today = timezone.localdate()
    supervisor = Agency.objects.get(code="demo-sfj")
    sealed = crypto.encrypt_json(
        asdict(Complainant(name="测试投诉人", phone="13800000000", address="示范区某街道1号"))
    )
    rules: list[_Rule] = []
    agencies = []
    low = 0.0
    for n_agency, (code, share, channels) in enumerate(AGENCY_MIX, 1):
        # The last range ends at 1 exactly: a float sum a hair short of it would drop draws.
        high = 1.0 if n_agency == len(AGENCY_MIX) else low + share
        agency = Agency.objects.get(code=code)
        # The handler comes from the agency's rules (004: 人事股), as in the platform.
        legal = next(
            p for p in Person.objects.filter(agency=agency).order_by("pk") if handles_complaints(p, agency)
        )
        officers = list(
            Person.objects.filter(agency=agency, role_assignments__role=Role.CASE_HANDLER)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        agencies.append(
            (
                agency.pk,
                agency.code.upper(),
                low,
                high,
                legal.pk,
                categories_for(profile_for(agency)),
                channels,
                officers,
            )
        )
        low = high
        rules += _rules(agency)

    # Due dates from the calendar engine, for every start day a generated period can have.
    calendar = get_calendar()
    first_day = today - datetime.timedelta(days=SPAN_DAYS + 1)
    due_rows = []
    for rule in rules:
        for offset in range((today - first_day).days + 1):
            start = first_day + datetime.timedelta(days=offset)
            due = calendar.add(start, rule.amount, Unit(rule.unit), provisional_ok=True)
            due_rows.append((rule.agency_id, rule.key, start, due.due, due.provisional))

    params = {
        "n": n,
        "span": SPAN_DAYS,
        "skew": AGE_SKEW,
        "today": today,
        "now": now,
        "tz": TIMEZONE,
        "sealed": sealed,
        "secret_hash": secret_digest(TRACKING_SECRET),  # hashed as the app checks it
        "openings": OPENINGS,
        "places": PLACES,
        "events": EVENTS,
        "demands": DEMANDS,
        "result_text": RESULT_TEXT,
        "reject_reason": REJECT_REASON,
        "reject_basis": REJECT_BASIS,
        "referred_to": REFERRED_TO,
        "supervisor": supervisor.pk,
        "ct": ContentType.objects.get_for_model(Complaint).pk,
    }
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        step = _Steps(log)
        # A fixture load: losing it to a crash only means generating it again.
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute(
            "CREATE TEMP TABLE bench_agency (id bigint, code text, lo float8, hi float8, legal bigint,"
            " categories text[], channels text[], officers bigint[]) ON COMMIT DROP"
        )
        cur.executemany("INSERT INTO bench_agency VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", agencies)
        cur.execute(
            "CREATE TEMP TABLE bench_rule (agency_id bigint, rule_key text, title text, start_on text,"
            " closes_on text, assigned boolean, amount integer, unit text, citation text) ON COMMIT DROP"
        )
        cur.executemany(
            "INSERT INTO bench_rule VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [astuple(rule) for rule in rules],
        )
        cur.execute(
            "CREATE TEMP TABLE bench_due (agency_id bigint, rule_key text, start_date date, due_date date,"
            " provisional boolean, PRIMARY KEY (agency_id, rule_key, start_date)) ON COMMIT DROP"
        )
        with cur.copy("COPY bench_due FROM STDIN") as copy:
            for row in due_rows:
                copy.write_row(row)
        step(f"due dates from the calendar engine ({len(due_rows):,} start days × rules)")

        cur.execute("SELECT setseed(%s)", (SEED,))
        # Draws first, in their own table: each random() is evaluated once per row, whatever the
        # planner does with the expressions that use them.
        cur.execute(
            "CREATE TEMP TABLE bench_draw ON COMMIT DROP AS SELECT g,"
            + ", ".join(
                f"random() AS r_{name}"
                for name in (
                    "agency",
                    "age",
                    "time",
                    "state",
                    "decide",
                    "conclude",
                    "channel",
                    "anon",
                    "officer",
                    "category",
                    "text1",
                    "text2",
                    "text3",
                    "occurred",
                )
            )
            + " FROM generate_series(1, %(n)s) AS g",
            params,
        )
        cur.execute(_RAW_SQL.replace("{state}", _state_sql()), params)
        step(f"{n:,} complaints drawn")
        cur.execute("SELECT coalesce(max(id), 0) FROM complaints_complaint")
        params["first_id"] = cur.fetchone()[0] + 1
        cur.execute(_COMPLAINTS_SQL.replace("{tracking}", _tracking_code_sql("r.id")), params)
        step(f"{cur.rowcount:,} complaints inserted")
        # Without statistics the planner joins the due dates by nested loops: minutes, not seconds.
        cur.execute("ANALYZE complaints_complaint, bench_rule, bench_due")
        cur.execute(_DEADLINES_SQL, params)
        step(f"{cur.rowcount:,} deadlines inserted")
        cur.execute(_COUNTERS_SQL, params)
        for table in ("complaints_complaint", "deadlines_deadline"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.commit()
        step("committed")
    # VACUUM sets the visibility map (index-only scans) and ANALYZE gives the planner statistics.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) complaints_complaint")
        conn.execute("VACUUM (ANALYZE) deadlines_deadline")
        conn.execute("ANALYZE")
    step("VACUUM ANALYZE")


class _Steps:
    """Prints each generation step with the seconds it took."""

    def __init__(self, log) -> None:
        self.log = log
        self.last = time.perf_counter()

    def __call__(self, what: str) -> None:
        now = time.perf_counter()
        self.log(f"  {what}: {now - self.last:.1f} s")
        self.last = now


# One row per complaint with every value decided; ids follow received_at, as real ids would.
_RAW_SQL = """
CREATE TEMP TABLE bench_raw ON COMMIT DROP AS
WITH aged AS (
    SELECT d.*, a.id AS agency_id, a.code, a.legal, a.categories, a.channels, a.officers,
           floor(%(span)s * power(d.r_age, %(skew)s))::int AS age
    FROM bench_draw d JOIN bench_agency a ON d.r_agency >= a.lo AND d.r_agency < a.hi
), stated AS (
    SELECT aged.*,
           LEAST(((%(today)s::date - age) + time '08:30' + r_time * interval '9 hours 30 minutes')
                 AT TIME ZONE %(tz)s, %(now)s::timestamptz) AS received_at,
           {state} AS state,
           channels[1 + floor(r_channel * array_length(channels, 1))::int] AS channel
    FROM aged
), decided AS (
    SELECT stated.*,
           CASE WHEN state <> 'received' THEN
               LEAST(received_at + interval '1 hour' + r_decide * LEAST(age, 4) * interval '1 day',
                     %(now)s::timestamptz)
           END AS decided_at
    FROM stated
)
SELECT decided.*,
       CASE WHEN state IN ('concluded', 'archived') THEN
           LEAST(decided_at + (1 + r_conclude * 32) * interval '1 day', %(now)s::timestamptz)
       END AS concluded_at,
       row_number() OVER (ORDER BY received_at, g) AS seq,
       row_number() OVER (PARTITION BY agency_id, extract(year FROM received_at AT TIME ZONE %(tz)s)
                          ORDER BY received_at, g) AS number_in_year
FROM decided
"""

_COMPLAINTS_SQL = """
INSERT INTO complaints_complaint (
    id, number, agency_id, channel, entrusted, anonymous, complainant_sealed, target_agency_id,
    target_officer_id, target_description, category, content, occurred_on, hotline_ticket, assigned_by_id,
    tracking_code, secret_hash, state, received_at, handler_id, decided_at, decision_reason, legal_basis,
    referred_to, finding, measures, result_text, concluded_at, answer_round, rehandling_reason, supervised,
    archived_at, archive_digest, created_at, updated_at)
SELECT
    r.id,
    r.code || '-TS-' || r.year || '-' || lpad((coalesce(nc.last, 0) + r.number_in_year)::text, 6, '0'),
    r.agency_id, r.channel, r.r_anon BETWEEN 0.15 AND 0.2, r.r_anon < 0.15,
    CASE WHEN r.r_anon < 0.15 THEN '' ELSE %(sealed)s END,
    r.agency_id,
    CASE WHEN r.r_officer < 0.4 AND cardinality(r.officers) > 0
         THEN r.officers[1 + floor(r.r_officer / 0.4 * cardinality(r.officers))::int] END,
    CASE WHEN r.r_officer >= 0.4 AND r.r_officer < 0.7
         THEN '执法人员（胸牌号 ' || (1000 + floor(r.r_officer * 9000))::int || '）' ELSE '' END,
    r.categories[1 + floor(r.r_category * cardinality(r.categories))::int],
    (%(openings)s::text[])[1 + floor(r.r_text1 * cardinality(%(openings)s::text[]))::int]
        || to_char(r.received_at AT TIME ZONE %(tz)s - (r.r_occurred * 30)::int * interval '1 day',
                   'YYYY"年"FMMM"月"FMDD"日"')
        || '在' || (%(places)s::text[])[1 + floor(r.r_text2 * cardinality(%(places)s::text[]))::int]
        || (%(events)s::text[])[1 + floor(r.r_text3 * cardinality(%(events)s::text[]))::int]
        || (%(demands)s::text[])[1 + floor(r.r_decide * cardinality(%(demands)s::text[]))::int],
    (r.received_at AT TIME ZONE %(tz)s)::date - (r.r_occurred * 30)::int,
    CASE WHEN r.channel = 'hotline' THEN '12345-BENCH-' || r.id END,
    CASE WHEN r.channel = 'assigned' THEN %(supervisor)s::bigint END,
    {tracking},
    %(secret_hash)s,
    r.state, r.received_at,
    CASE WHEN r.state <> 'received' THEN r.legal END,
    r.decided_at,
    CASE WHEN r.state = 'rejected' THEN %(reject_reason)s ELSE '' END,
    CASE WHEN r.state = 'rejected' THEN %(reject_basis)s ELSE '' END,
    CASE WHEN r.state = 'referred' THEN %(referred_to)s ELSE '' END,
    CASE WHEN r.concluded_at IS NULL THEN ''
         WHEN r.r_conclude < 0.3 THEN 'substantiated' WHEN r.r_conclude < 0.5 THEN 'partly'
         ELSE 'not_substantiated' END,
    CASE WHEN r.concluded_at IS NOT NULL AND r.r_conclude < 0.5 THEN '["correct"]' ELSE '[]' END::jsonb,
    CASE WHEN r.concluded_at IS NULL THEN '' ELSE %(result_text)s END,
    r.concluded_at,
    CASE WHEN r.concluded_at IS NULL THEN 0 ELSE 1 END,  -- each concluded complaint answered once
    '',
    false,
    CASE WHEN r.state = 'archived' THEN LEAST(r.concluded_at + interval '7 days', %(now)s::timestamptz) END,
    CASE WHEN r.state = 'archived' THEN encode(sha256(('bench-archive-' || r.id)::bytea), 'hex') ELSE '' END,
    r.received_at,
    GREATEST(r.received_at, r.decided_at, r.concluded_at)
FROM (
    SELECT bench_raw.*, %(first_id)s::bigint - 1 + seq AS id,
           extract(year FROM received_at AT TIME ZONE %(tz)s)::int AS year
    FROM bench_raw
) r
LEFT JOIN core_sequence nc ON nc.agency_id = r.agency_id AND nc.family = 'TS' AND nc.year = r.year
ORDER BY r.id
"""

# The periods each profile opens, with the state the services would have left them in.
_DEADLINES_SQL = """
INSERT INTO deadlines_deadline (
    agency_id, owner_id, subject_type_id, subject_id, title, rule_key, citation, start_date, amount, unit,
    base_due_date, extension_amount, extension_unit, extension_citation, due_date, provisional, state,
    closed_at, reminded_at, escalated_at)
SELECT c.agency_id,
       c.handler_id,
       %(ct)s, c.id, c.number || r.title, r.rule_key, r.citation, s.start_date, r.amount, r.unit,
       NULL, NULL, '', '', du.due_date, du.provisional,
       CASE WHEN s.closed IS NULL THEN 'running'
            WHEN (s.closed AT TIME ZONE %(tz)s)::date <= du.due_date THEN 'met' ELSE 'missed' END,
       s.closed,
       -- `jiandu tick` has run: open periods near or past their date were reminded, past it escalated.
       CASE WHEN s.closed IS NULL AND du.due_date <= %(today)s::date + 2 THEN %(now)s::timestamptz END,
       CASE WHEN s.closed IS NULL AND du.due_date < %(today)s::date THEN %(now)s::timestamptz END
FROM complaints_complaint c
JOIN bench_rule r ON r.agency_id = c.agency_id
     AND (r.assigned IS NULL OR r.assigned = (c.assigned_by_id IS NOT NULL))
     AND (r.start_on = 'received' OR c.state IN ('accepted', 'concluded', 'archived'))
CROSS JOIN LATERAL (
    SELECT ((CASE WHEN r.start_on = 'received' THEN c.received_at ELSE c.decided_at END)
            AT TIME ZONE %(tz)s)::date AS start_date,
           CASE WHEN r.closes_on = 'decided' OR c.state IN ('rejected', 'referred') THEN c.decided_at
                ELSE c.concluded_at END AS closed
) s
JOIN bench_due du ON du.agency_id = r.agency_id AND du.rule_key = r.rule_key AND du.start_date = s.start_date
WHERE c.id >= %(first_id)s
ORDER BY c.id
"""

# The next number the services give must follow the generated ones.
_COUNTERS_SQL = """
INSERT INTO core_sequence (agency_id, family, year, last)
SELECT agency_id, 'TS', year, count(*) FROM (
    SELECT agency_id, extract(year FROM received_at AT TIME ZONE %(tz)s)::int AS year
    FROM complaints_complaint
) c GROUP BY agency_id, year
ON CONFLICT (agency_id, family, year) DO UPDATE SET last = GREATEST(core_sequence.last, EXCLUDED.last)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--complaints",
        type=int,
        default=int(os.environ.get("JIANDU_BENCH_COMPLAINTS", DEFAULT_COMPLAINTS)),
        help=f"how many complaints (default {DEFAULT_COMPLAINTS:,}, or $JIANDU_BENCH_COMPLAINTS)",
    )
    parser.add_argument("--force", action="store_true", help="regenerate even if the marker matches")
    args = parser.parse_args(argv)
    fixture = ensure(args.complaints, force=args.force)
    verb = "generated" if fixture.generated else "reused"
    print(
        f"{verb}: {fixture.total_complaints:,} complaints, {fixture.open_deadlines:,} open deadlines "
        f"({fixture.overdue_deadlines:,} overdue); generation took {fixture.seconds:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

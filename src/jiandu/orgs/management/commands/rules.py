"""`jiandu rules …`: check, show, load and list the jurisdiction rule profiles.

jiandu rules check [--profiles-dir DIR]   validate every profile, the national layer and every quote,
                                          and that each procedure a profile switches on can run (on
                                          the national layer, and for every agency's bindings in the
                                          database); then run every profile's scenarios (`jiandu
                                          scenario check`, in a scratch database); exit 0 with a
                                          summary, exit 1 listing every fault
jiandu rules show PROFILE|AGENCY|national a profile's rules as a table: key, label, value, citation;
                                          for an agency (its code) the rules it follows, each with the
                                          layer it came from, the conflicts between layers, and which
                                          procedures run
jiandu rules sync                         load the shipped profiles into the database (ledgered)
jiandu rules keys                         the key catalogue, by domain: the profiles stating each key
                                          and the procedures reading it (or that none does yet)
"""

from __future__ import annotations

import unicodedata
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from jiandu.core.errors import ServiceError
from jiandu.orgs.models import Agency
from jiandu.orgs.profiles import profile_for, sync_profiles
from jiandu.rules.loader import (
    NATIONAL,
    Profile,
    ProfileError,
    available_profiles,
    catalogue,
    check_all,
    compose,
    load_profile,
    national,
)
from jiandu.rules.procedures import readers, registered
from jiandu.rules.schema import RULE_KINDS

# Width (in terminal columns) at which long values and notes wrap in `show`.
VALUE_WIDTH = 44


def display_width(text: str) -> int:
    """Terminal columns `text` takes: CJK wide and full-width characters take two."""
    return sum(
        2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        for ch in text
    )


def wrap(text: str, width: int) -> list[str]:
    """Break `text` into lines of at most `width` columns: at a space where there is one (English),
    anywhere otherwise (Chinese has no spaces to break at)."""
    lines, line = [], ""
    for ch in text:
        if line and display_width(line + ch) > width:
            cut = line.rfind(" ")
            if cut > 0 and ch != " ":
                lines.append(line[:cut])
                line = line[cut + 1 :]
            else:
                lines.append(line.rstrip())
                line = ""
            if ch == " " and not line:
                continue
        line += ch
    return [*lines, line] if line or not lines else lines


def table(header: list[str], rows: list[list[list[str]]]) -> list[str]:
    """Aligned columns; each cell is a list of lines, so a row may span several lines."""
    widths = [display_width(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max([widths[i], *(display_width(line) for line in cell)])

    def line(cells: list[str]) -> str:
        return "  ".join(
            c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    out = [line(header), line(["─" * w for w in widths])]
    for row in rows:
        height = max(len(cell) for cell in row)
        for n in range(height):
            out.append(line([cell[n] if n < len(cell) else "" for cell in row]))
    return out


def _cited_titles(profile: Profile) -> list[str]:
    """The regulations and laws a profile's rules cite, by title, in order of first citation."""
    return list(
        dict.fromkeys(c.law or c.title or c.system for r in profile.rules.values() for c in r.citations())
    )


def _value_lines(profile: Profile, key: str) -> list[str]:
    rule = profile.rules[key]
    if rule.kind == "list":
        lines = []
        for number, item in enumerate(rule.value, 1):
            prefix = f"{number}. "
            parts = wrap(item, VALUE_WIDTH - len(prefix))
            lines += [prefix + parts[0]] + [" " * len(prefix) + part for part in parts[1:]]
    else:
        lines = wrap(rule.display(), VALUE_WIDTH)
    if rule.note:
        lines += wrap(f"注：{rule.note}", VALUE_WIDTH)
    return lines


class Command(BaseCommand):
    help = "Jurisdiction rule profiles: check, show PROFILE, sync, keys."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        check = commands.add_parser("check", help="validate every profile, its citations and quotes")
        check.add_argument(
            "--profiles-dir", type=Path, help="check the profiles in this directory instead (e.g. a draft)"
        )
        show = commands.add_parser("show", help="print one profile's rules as a table")
        show.add_argument("profile", help="profile code, e.g. jingzhou-ggzy")
        commands.add_parser("sync", help="load the shipped profiles into the database")
        commands.add_parser("keys", help="print the key catalogue")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, "do_" + subcommand)(**options)

    def do_check(self, profiles_dir: Path | None, **options: Any) -> None:
        if profiles_dir is not None and not profiles_dir.is_dir():
            raise CommandError(f"{profiles_dir} 不是目录。")
        problems = check_all(profiles_dir)
        if not problems:
            problems = self._procedure_problems(profiles_dir)
        scenarios: list[str] = []
        if not problems:
            scenarios, problems = self._scenario_results(profiles_dir)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"规则配置校验未通过：共 {len(problems)} 处问题。", returncode=1)
        codes = available_profiles(profiles_dir)
        total = 0
        for code in codes:
            profile = load_profile(code, directory=profiles_dir)
            quotes = sum(len(rule.citations()) for rule in profile.rules.values())
            total += len(profile.rules)
            self.stdout.write(
                f"{code}: {profile.name}，{len(profile.rules)} 条规则，{quotes} 处引文，"
                f"依据 {'、'.join(f'《{cite}》' for cite in _cited_titles(profile)) or '（无）'}"
            )
        base = national()
        self.stdout.write(
            f"national: {base.name}（国家层），{len(base.rules)} 条规则，"
            f"依据 {'、'.join(f'《{cite}》' for cite in _cited_titles(base))}"
        )
        for line in scenarios:
            self.stdout.write(f"场景 {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"全部 {len(codes)} 份规则配置及国家层校验通过，共 {total + len(base.rules)} 条规则；"
                "引文均与原文逐字一致；各规则配置开通的程序均可办理；各规则配置附带的场景均符合预期。"
            )
        )

    @staticmethod
    def _scenario_results(profiles_dir: Path | None) -> tuple[list[str], list[str]]:
        """Each profile's scenarios run in a scratch database: (a summary line per profile, the
        failures). Called by name: the scenario runner is the procedure kernel's, a layer above
        this app, so it is reached as Django reaches a command, not imported."""
        out, err = StringIO(), StringIO()
        args = ["--profiles-dir", str(profiles_dir)] if profiles_dir is not None else []
        try:
            call_command("scenario", "check", *args, stdout=out, stderr=err)
        except CommandError:
            return [], err.getvalue().splitlines() or ["场景未能运行。"]
        return out.getvalue().splitlines(), []

    def _procedure_problems(self, profiles_dir: Path | None) -> list[str]:
        """Procedures a profile (on the national layer) switches on but cannot run; the same for every
        agency's bindings in the database, where there is one."""
        try:
            base = national()
        except ProfileError as exc:
            return [str(p) for p in exc.problems]
        problems = []
        for code in available_profiles(profiles_dir):
            composed = compose([load_profile(code, directory=profiles_dir)], base)
            problems += [p for procedure in registered() for p in procedure.problems(composed)]
        if profiles_dir is None:
            try:
                for agency in Agency.objects.exclude(profile=None).select_related("profile"):
                    composed = profile_for(agency)
                    problems += [
                        f"机关 {agency.code}：{p}"
                        for procedure in registered()
                        for p in procedure.problems(composed)
                    ]
            except DatabaseError:
                pass  # no database yet: the shipped files are what there is to check
        return problems

    def do_show(self, profile: str, **options: Any) -> None:
        if profile == NATIONAL:
            self._print_rules(national(), layered=False)
            return
        if profile not in available_profiles():
            agency = self._agency(profile)
            if agency is None:
                raise CommandError(
                    f"没有规则配置或机关 {profile!r}；规则配置有：{', '.join(available_profiles())}、national"
                )
            self._show_agency(agency)
            return
        try:
            loaded = load_profile(profile)
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        self._print_rules(loaded, layered=False)

    @staticmethod
    def _agency(code: str) -> Agency | None:
        try:
            return Agency.objects.select_related("profile").filter(code=code).first()
        except DatabaseError:
            return None

    def _show_agency(self, agency: Agency) -> None:
        try:
            composed = profile_for(agency)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{agency.name}（{agency.code}）适用的规则")
        self.stdout.write(
            f"层次（优先者在前）：{' → '.join(composed.layers)}；国家法律、行政法规优先于地方规则。"
        )
        for procedure in registered():
            if not procedure.switched_on(composed):
                state = "未开通（本地规则未作规定）"
            else:
                problems = procedure.problems(composed)
                state = "可以办理" if not problems else "无法办理：" + "；".join(problems)
            self.stdout.write(f"程序“{procedure.label}”：{state}")
        self.stdout.write("")
        self._print_rules(composed, layered=True)
        self.stdout.write("")
        if composed.conflicts:
            self.stdout.write(f"冲突（{len(composed.conflicts)} 处，均已列出）：")
            for conflict in composed.conflicts:
                self.stdout.write(f"- {conflict}")
        else:
            self.stdout.write("各层之间没有冲突。")

    def _print_rules(self, loaded: Profile, *, layered: bool) -> None:
        if layered:
            rows = [
                [
                    [key],
                    wrap(rule.label, 24),
                    _value_lines(loaded, key),
                    [rule.layer],
                    [str(c) for c in rule.citations()],
                ]
                for key, rule in loaded.rules.items()
            ]
            for line in table(["键", "名称", "规定", "来源层", "依据"], rows):
                self.stdout.write(line)
            return
        self.stdout.write(f"{loaded.name}（{loaded.code}）")
        issued = "，".join(p for p in (loaded.document_number, loaded.document_date) if p)
        self.stdout.write(
            f"制定机关：{'、'.join(loaded.issuers)}"
            + (f"；{loaded.document_title}" if loaded.document_title else "")
            + (f"（{issued}）" if issued else "")
        )
        if loaded.seed:
            self.stdout.write(f"原文文件（核对引文用）：{loaded.seed}")
        for note in loaded.notes:
            self.stdout.write(f"说明：{note}")
        self.stdout.write("")
        rows = [
            [[key], wrap(rule.label, 24), _value_lines(loaded, key), [str(c) for c in rule.citations()]]
            for key, rule in loaded.rules.items()
        ]
        for line in table(["键", "名称", "规定", "依据"], rows):
            self.stdout.write(line)

    def do_sync(self, **options: Any) -> None:
        try:
            touched = sync_profiles(actor=None)
        except (ProfileError, ServiceError) as exc:
            raise CommandError(str(exc)) from exc
        for row in touched:
            self.stdout.write(f"已载入 {row.code}：{row.name}（摘要 {row.digest[:12]}）")
        unchanged = len(available_profiles()) - len(touched)
        self.stdout.write(
            self.style.SUCCESS(f"规则配置已同步：{len(touched)} 份新建或更新，{unchanged} 份未变。")
        )

    def do_keys(self, **options: Any) -> None:
        users: dict[str, list[str]] = {}
        for code in available_profiles():
            for key in load_profile(code).rules:
                users.setdefault(key, []).append(code)
        for key in national().rules:
            users.setdefault(key, []).append(NATIONAL)
        read_by = readers()
        unread = sorted(key for key in users if key not in read_by)
        for domain, (label, description), specs in catalogue().by_domain():
            self.stdout.write(f"\n{domain} — {label}：{description}")
            rows = [
                [
                    [spec.key],
                    [RULE_KINDS[spec.kind]],
                    wrap(spec.label, 30),
                    wrap(spec.description, 60),
                    users.get(spec.key, ["—"]),
                    read_by.get(spec.key, ["尚无程序读取"]),
                ]
                for spec in specs
            ]
            for line in table(["键", "类型", "名称", "说明", "规定于", "读取程序"], rows):
                self.stdout.write(line)
        self.stdout.write(
            f"\n规则配置中已规定、但尚无程序读取的规则：{len(unread)} 条"
            "（待后续程序实现，见上表“尚无程序读取”）。"
        )

"""`jiandu rules …`: check, show, load and list the jurisdiction rule profiles.

jiandu rules check [--profiles-dir DIR]   validate every profile and quote; exit 0 with a summary,
                                          exit 1 listing every fault
jiandu rules show PROFILE                 the profile's rules as a table: key, label, value, citation
jiandu rules sync                         load the shipped profiles into the database (ledgered)
jiandu rules keys                         the key catalogue, by domain, with the profiles using each key
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiandu.core.errors import ServiceError
from jiandu.rules.loader import (
    Profile,
    ProfileError,
    available_profiles,
    catalogue,
    check_all,
    load_profile,
)
from jiandu.rules.schema import RULE_KINDS
from jiandu.rules.services import sync_profiles

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
                f"依据 {profile.seed or '（无）'}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"全部 {len(codes)} 份规则配置校验通过，共 {total} 条规则；引文均与原文逐字一致。"
            )
        )

    def do_show(self, profile: str, **options: Any) -> None:
        if profile not in available_profiles():
            raise CommandError(f"没有规则配置 {profile!r}；现有：{', '.join(available_profiles())}")
        try:
            loaded = load_profile(profile)
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{loaded.name}（{loaded.code}）")
        issued = "，".join(p for p in (loaded.document_number, loaded.document_date) if p)
        self.stdout.write(
            f"制定机关：{'、'.join(loaded.issuers)}"
            + (f"；{loaded.document_title}" if loaded.document_title else "")
            + (f"（{issued}）" if issued else "")
        )
        if loaded.seed:
            self.stdout.write(f"原文：{loaded.seed}")
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
        for domain, (label, description), specs in catalogue().by_domain():
            self.stdout.write(f"\n{domain} — {label}：{description}")
            rows = [
                [
                    [spec.key],
                    [RULE_KINDS[spec.kind]],
                    wrap(spec.label, 30),
                    wrap(spec.description, 60),
                    users.get(spec.key, ["—"]),
                ]
                for spec in specs
            ]
            for line in table(["键", "类型", "名称", "说明", "规定于"], rows):
                self.stdout.write(line)

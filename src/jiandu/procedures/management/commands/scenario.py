"""`jiandu scenario …`: run scenario files (docs/scenarios.md) in a scratch database.

jiandu scenario run FILE [--json] [--database URL]
    build the file's world and run its acts; one line (JSON with --json) per act; exit 0 when
    every expectation holds, 1 when one does not, 2 when the file cannot run. The configured
    database is never used: the command re-runs itself on a copy of a migrated scratch SQLite
    file, unless --database names an empty database to build the world in and keep.
jiandu scenario check [--profiles-dir DIR]
    every profile's shipped scenarios (profiles/scenarios/<profile>/*.yaml), one scratch database
    for all, each file in a world of its own; the failures on stderr, one per line; exit 1 on any.
    `jiandu rules check` runs it.
jiandu scenario steps
    the steps a scenario may call: name, label, inputs.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from jiandu.deadlines.models import Deadline
from jiandu.orgs.models import Agency, Person
from jiandu.orgs.profiles import sync_profiles
from jiandu.procedures.registry import lookup, steps
from jiandu.procedures.scenarios import play as player
from jiandu.procedures.scenarios import scratch
from jiandu.procedures.scenarios.spec import Scenario, ScenarioError, load, record_kind
from jiandu.procedures.who import Public
from jiandu.rules.loader import PROFILES_DIR, available_profiles

STATE_LABELS = dict(Deadline.State.choices)
UNIT_LABELS = {"workday": "个工作日", "day": "日", "month": "个月"}
BAD_FILE, UNMET = 2, 1


def scenario_files(profiles_dir: Path | None) -> dict[str, list[Path]]:
    """Each profile's shipped scenarios, by profile code (a profile may have none)."""
    folder = (profiles_dir or PROFILES_DIR) / "scenarios"
    return {code: sorted((folder / code).glob("*.yaml")) for code in available_profiles(profiles_dir)}


class Command(BaseCommand):
    help = "Run scenario files (a world, then acts at fixed dates) in a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        run = commands.add_parser("run", help="run one scenario file")
        run.add_argument("file", type=Path)
        run.add_argument("--json", action="store_true", help="one JSON object per act")
        run.add_argument(
            "--database", metavar="URL", help="build the world in this (empty) database and keep it"
        )
        check = commands.add_parser("check", help="run every profile's shipped scenarios")
        check.add_argument("--profiles-dir", type=Path, help="the profiles (and scenarios/) of a draft")
        commands.add_parser("steps", help="list the steps a scenario may call")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, "do_" + subcommand)(**options)

    # ------------------------------------------------------------------------------------- run

    def do_run(self, file: Path, json: bool, database: str | None, **options: Any) -> None:
        scenario = self._load(file)
        if scratch.in_scratch():
            with scratch.quick_passwords():
                self._run_here(scenario, as_json=json, keep=False)
            return
        if os.environ.get(scratch.TARGET_ENV):
            self._prepare_target()
            self._run_here(scenario, as_json=json, keep=True)
            return
        args = ["scenario", "run", str(file.resolve()), *(["--json"] if json else [])]
        if database is not None:
            env = {**os.environ, "JIANDU_DATABASE_URL": database, scratch.TARGET_ENV: database}
            self._relay(scratch.run_child(args, env))
            return
        work, env = scratch.scratch()
        try:
            self._relay(scratch.run_child(args, env))
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _load(self, file: Path, profiles_dir: Path | None = None) -> Scenario:
        try:
            return load(file, profiles_dir=profiles_dir)
        except ScenarioError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"场景文件有 {len(exc.problems)} 处错误，未运行。", returncode=BAD_FILE
            ) from None

    def _relay(self, done: Any) -> None:
        self.stdout.write(done.stdout, ending="")
        self.stderr.write(done.stderr, ending="")
        if done.returncode == BAD_FILE:
            raise CommandError("场景未运行。", returncode=BAD_FILE)
        if done.returncode != 0:
            raise CommandError("场景中有期望未符合。", returncode=done.returncode)

    def _run_here(self, scenario: Scenario, *, as_json: bool, keep: bool) -> None:
        results = player.play(scenario, keep=keep)
        self._facts_shown: dict[str, dict[str, Any]] = {}
        if not as_json:
            self.stdout.write(f"场景：{scenario.title}（{scenario.name}）")
        for act, result in zip(scenario.acts, results, strict=True):
            if as_json:
                self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            else:
                self._describe(act, result)
        failed = sum(1 for r in results if r.unmet)
        if not as_json:
            verdict = "期望全部符合" if not failed else f"{failed} 幕期望未符合"
            self.stdout.write(f"结果：共 {len(results)} 幕，{verdict}。")
        if failed:
            raise SystemExit(UNMET)

    def _prepare_target(self) -> None:
        """A database of the user's own is used only when it holds no world yet (a scenario's
        agencies and acts must never mix with real ones); it is then migrated and given the
        shipped profiles. It is checked before migrating, so a real database is not even migrated."""
        if "orgs_agency" in connection.introspection.table_names() and (
            Agency.objects.exists() or Person.objects.exists()
        ):
            self.stderr.write("所指定的数据库中已有机关或人员，拒绝在其中建立场景；请指定一个空数据库。")
            raise SystemExit(BAD_FILE)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        sync_profiles(actor=None)

    def _describe(self, act: Any, result: player.ActResult) -> None:
        procedure, step = lookup(act.step)
        self.stdout.write(
            f"第 {act.number} 幕  {act.at:%Y-%m-%d %H:%M}  {act.by}  {step.label}（{act.step}）"
        )
        if not result.ok:
            self.stdout.write(f"  被拒绝：{result.message}（{result.error}）")
        else:
            self.stdout.write(f"  办成。事项 {result.matter}，状态：{result.state_label}")
            self._fact_line(procedure, result)
            self._matter_lines(result)
        for line in result.unmet:
            self.stdout.write(f"  ✗ {line}")

    def _fact_line(self, procedure: Any, result: player.ActResult) -> None:
        """The matter's declared facts, where they differ from what was last shown of it (as an
        `expect: facts:` would write them)."""
        shown = self._facts_shown.setdefault(result.matter or "", {})
        changed = [
            f"{label}（{path}）：{json.dumps(result.facts.get(path), ensure_ascii=False)}"
            for label, path in procedure.facts
            if path not in shown or shown[path] != result.facts.get(path)
        ]
        shown.update(result.facts)
        if changed:
            self.stdout.write(f"  {'；'.join(changed)}")

    def _matter_lines(self, result: player.ActResult) -> None:
        for d in result.deadlines:
            unit = UNIT_LABELS.get(d["extension_unit"], "")
            extended = f"，延长{d['extension']}{unit}" if d["extension"] else ""
            self.stdout.write(
                f"  期限 {d['key']}：{d['amount']}{UNIT_LABELS.get(d['unit'], d['unit'])}"
                f"{extended}，届满 {d['due']}"
                f"{'（暂定）' if d['provisional'] else ''}，{STATE_LABELS.get(d['state'], d['state'])}"
                f"；依据 {d['citation']}"
            )
        if result.documents:
            self.stdout.write(f"  文书：{'、'.join(result.documents)}")

    # ----------------------------------------------------------------------------------- check

    def do_check(self, profiles_dir: Path | None, **options: Any) -> None:
        if not scratch.in_scratch():
            args = [
                "scenario",
                "check",
                *(["--profiles-dir", str(profiles_dir.resolve())] if profiles_dir else []),
            ]
            work, env = scratch.scratch()
            try:
                self._relay(scratch.run_child(args, env))
            finally:
                shutil.rmtree(work, ignore_errors=True)
            return
        if profiles_dir is not None:
            sync_profiles(actor=None, directory=profiles_dir)
        with scratch.quick_passwords():
            failures = self._check_all(profiles_dir)
        if failures:
            raise SystemExit(UNMET)

    def _check_all(self, profiles_dir: Path | None) -> int:
        failures = 0
        for code, files in scenario_files(profiles_dir).items():
            if not files:
                self.stdout.write(f"{code}：无场景")
                continue
            acts = 0
            problems = []
            for file in files:
                where = f"{code}/{file.name}"
                try:
                    scenario = load(file, profiles_dir=profiles_dir)
                except ScenarioError as exc:
                    problems += [f"场景 {code}/{p}" for p in exc.problems]
                    continue
                if code not in scenario.profiles:
                    problems.append(f"场景 {where}：其中没有机关适用规则配置 {code}")
                    continue
                if scenario.relative:
                    problems.append(
                        f"场景 {where}：规则配置附带的场景须写固定的日期和时间（不用 now、today），"
                        "其期望才不随运行之日改变"
                    )
                    continue
                try:
                    results = player.play(scenario)
                except Exception as exc:  # a crash is one scenario's failure; the others still run
                    problems.append(f"场景 {where}：运行出错（{type(exc).__name__}: {exc}）")
                    continue
                acts += len(results)
                for act, result in zip(scenario.acts, results, strict=True):
                    problems += [
                        f"场景 {where} 第 {act.number} 幕（{act.step}，第 {act.line} 行）：{line}"
                        for line in result.unmet
                    ]
            for problem in problems:
                self.stderr.write(problem)
            failures += len(problems)
            verdict = "全部通过" if not problems else f"{len(problems)} 处未通过"
            self.stdout.write(f"{code}：{len(files)} 个场景（{acts} 幕）{verdict}")
        return failures

    # ----------------------------------------------------------------------------------- steps

    def do_steps(self, **options: Any) -> None:
        shown: set[str] = set()
        for procedure, step in steps():
            if procedure.code not in shown and procedure.facts:
                shown.add(procedure.code)
                facts = "、".join(f"{path}（{label}）" for label, path in procedure.facts)
                self.stdout.write(f"{procedure.label}可期望的事实（expect.facts）：{facts}")
            inputs = "、".join(
                f"{i.name}（{i.label}，{_kind(i)}{'' if i.required else '，可选'}）" for i in step.inputs
            )
            creates = "，创建事项（须 agency）" if step.creates else "（须 matter）"
            public = "，由 public 或 hotline 办理" if isinstance(step.who, Public) else ""
            self.stdout.write(
                f"{step.name}  {procedure.label}·{step.label}{creates}{public}  {inputs or '无输入'}"
            )


def _kind(spec: Any) -> str:
    """An input's kind as a scenario writes it: a record by the code of an agency or a person."""
    if spec.kind == "record":
        return {"agency": "record：机关代号", "person": "record：人员代号"}.get(
            record_kind(spec) or "", "record"
        )
    return str(spec.kind)

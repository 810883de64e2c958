"""`jiandu hotline_import FILE`: import a 12345 batch (CSV or .xlsx) and print the per-row report.

Exit status 0 when every row went in (or already had), 1 when the file or any row was rejected.
`jiandu hotline_import --template` prints the header row; `--template OUT.xlsx` (or OUT.csv)
writes the template file. The columns are described in `jiandu.complaints.hotline`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiandu.complaints.hotline import COLUMNS, MB, bound, import_tickets, template_csv, template_xlsx


class Command(BaseCommand):
    """Import a hotline batch file, or give out the import template."""

    help = "导入12345热线工单文件（CSV：UTF-8 或 GBK；或 Excel .xlsx），逐行报告结果。"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> argparse.ArgumentParser:
        guide = "\n".join(f"  {c.header}（{c.need}）：{c.description}" for c in COLUMNS)
        kwargs.setdefault("epilog", "文件第一行为表头，各列：\n" + guide)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="工单文件（.csv 或 .xlsx）")
        parser.add_argument(
            "--template",
            nargs="?",
            const="-",
            metavar="OUT",
            help="输出导入模板：不带参数时打印表头；OUT 以 .xlsx 或 .csv 结尾时写入该文件",
        )

    def handle(self, *args: object, **options: str | None) -> None:
        if options["template"]:
            self._template(options["template"])
            return
        if not options["file"]:
            raise CommandError("请指定要导入的工单文件，或用 --template 取得导入模板。")
        path = Path(options["file"])
        try:
            # The size first: an oversized file is refused without being read into memory.
            if path.stat().st_size > bound("file_bytes"):
                raise CommandError(
                    f"文件 {path.name} 超过 {bound('file_bytes') // MB} MB 的上限，请分成几个文件导入。"
                )
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        report = import_tickets(data, path.name)
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            problem = report.error or f"{len(report.rejected)} 行被退回"
            raise CommandError(f"导入未全部完成：{problem}。", returncode=1)

    def _template(self, out: str) -> None:
        if out == "-":
            self.stdout.write(template_csv().decode("utf-8-sig").rstrip("\r\n"))
            return
        if out.lower().endswith(".xlsx"):
            content = template_xlsx()
        elif out.lower().endswith(".csv"):
            content = template_csv()
        else:
            raise CommandError("模板文件名须以 .xlsx 或 .csv 结尾。")
        Path(out).write_bytes(content)
        self.stdout.write(f"已写入导入模板：{out}")

"""`jiandu sweep_files`: remove stored files left behind by steps that rolled back (run daily)."""

from django.core.management.base import BaseCommand

from jiandu.documents.files import sweep_orphan_files


class Command(BaseCommand):
    help = "Remove stored files that no record names (older than JIANDU_ORPHAN_FILE_GRACE_HOURS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list them, remove nothing")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        report = sweep_orphan_files(dry_run=dry_run)
        for name in report.orphans:
            self.stdout.write(name)
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(f"{report.examined} file(s) examined, {verb} {len(report.orphans)}")

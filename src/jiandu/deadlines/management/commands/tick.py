"""`jiandu tick`: reminders before due dates and escalations after them (run every minute)."""

from django.core.management.base import BaseCommand

from jiandu.deadlines.services import tick


class Command(BaseCommand):
    help = "Send due-date reminders and overdue escalations; idempotent, safe to run every minute."

    def handle(self, *args, **options) -> None:
        report = tick()
        self.stdout.write(f"reminded {report.reminded}, escalated {report.escalated}")

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "jiandu.complaints"
    verbose_name = "行政执法投诉举报"

    def ready(self) -> None:
        from jiandu.deadlines.scope import register_subject_scope

        from . import procedure  # noqa: F401 (registers what the procedure needs from the rules)
        from .scope import complaint_deadline_scope

        register_subject_scope("complaints.Complaint", complaint_deadline_scope)

"""What the complaint procedure needs from an agency's rules (see `jiandu.rules.procedures`).

`reads` lists every rule key this app's code asks a profile for; a test keeps it true to the code,
so `jiandu rules keys` can tell which rules no procedure reads yet.
"""

from jiandu.rules.procedures import ProcedureRules, register

COMPLAINTS = register(
    ProcedureRules(
        code="complaints",
        label="投诉举报",
        domain="complaint",
        # Who receives and handles complaints must be known; periods may be silent (no deadline
        # opens then), and the legal basis falls back to the national layer (complaint.basis).
        needs=("complaint.handling_unit",),
        reads=(
            "complaint.acceptance",
            "complaint.assigned.extension.approver",
            "complaint.assigned.extension.max",
            "complaint.assigned.handling",
            "complaint.basis",
            "complaint.enforcement_acts",
            "complaint.extension.approver",
            "complaint.extension.max",
            "complaint.handling",
            "complaint.handling_unit",
            "complaint.hotline",
            "complaint.misconduct_categories",
            "complaint.outcomes",
            "complaint.own_channels_prohibited",
            "complaint.phone",
            "complaint.referral",
            "complaint.respondent_explanation",
            "complaint.respondent_notice",
            "complaint.supervised_handling.body",
            "complaint.supervised_handling.dissatisfied_count",
            "complaint.supervised_handling.failed_rating",
        ),
    )
)

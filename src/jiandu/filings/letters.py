"""The letters of the filing review (002 第十二条): 行政执法监督通知书 and 行政执法监督决定书."""

from jiandu.documents.kinds import DocumentKind, register

_FILED = "你机关报送备案的《{title}》（{document_number}）"

NOTICE = register(
    DocumentKind(
        code="filing_supervision_notice",
        title="行政执法监督通知书",
        family="监督",
        body=(
            _FILED + "收悉。经备案审查，发现以下问题：{problems}。",
            "依照{citation}的规定，请你机关{correction}。",
            "{report}。",
        ),
        closing="特此通知。",
    )
)
DECISION = register(
    DocumentKind(
        code="filing_supervision_decision",
        title="行政执法监督决定书",
        family="监督",
        body=(
            _FILED + "，经备案审查，{reasons}。",
            "依照{citation}的规定，本机关决定：责令你机关{order}。",
            "{report}。",
        ),
        closing="特此决定。",
    )
)

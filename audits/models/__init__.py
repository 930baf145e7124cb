from audits.models.checklists import (
    ChecklistTemplate,
    ChecklistVersion,
    Item,
    ItemKind,
    Scenario,
    Section,
    TemplateStatus,
)
from audits.models.fieldwork import (
    Audit,
    AuditChange,
    AuditKind,
    AuditState,
    ChangeKind,
    Expectation,
    FrictionMark,
    Location,
    Photo,
    PhotoState,
    Response,
    Visit,
    VisitStatus,
    Wave,
    WaveStatus,
)
from audits.models.reports import Report, ReportState, ShareLink

__all__ = [
    "Report", "ReportState", "ShareLink",
    "Audit", "AuditChange", "AuditKind", "AuditState", "ChangeKind", "ChecklistTemplate", "ChecklistVersion",
    "Expectation", "FrictionMark", "Item", "ItemKind", "Location",
    "Photo", "PhotoState", "Response", "Scenario", "Section", "TemplateStatus", "Visit", "VisitStatus",
    "Wave", "WaveStatus",
]

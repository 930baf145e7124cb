from .accounts import Client, Membership, Organization, User
from .checklists import ChecklistTemplate, ChecklistVersion, Item, ItemKind, Scenario, Section, TemplateStatus
from .fieldwork import (
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

__all__ = [
    "Audit", "AuditChange", "AuditKind", "AuditState", "ChangeKind", "ChecklistTemplate", "ChecklistVersion",
    "Client", "Expectation", "FrictionMark", "Item", "ItemKind", "Location", "Membership", "Organization",
    "Photo", "PhotoState", "Response", "Scenario", "Section", "TemplateStatus", "User", "Visit", "VisitStatus",
    "Wave", "WaveStatus",
]

from .map import Channel, FrictionTag, Journey, Persona, Severity, Stage, Step
from .reports import Report, ReportState, ShareLink

__all__ = ["Channel", "FrictionTag", "Journey", "Persona", "Report", "ReportState", "Severity", "ShareLink",
           "Stage", "Step"]

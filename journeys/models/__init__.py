from .map import Channel, FrictionTag, Journey, Persona, Severity, Stage, Step

__all__ = ["Channel", "FrictionTag", "Journey", "Persona", "Severity", "Stage", "Step"]

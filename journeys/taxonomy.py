"""The built-in friction taxonomy (DESIGN.md), each from a real story in the sources."""

BUILTIN_FRICTION_TAGS = [
    ("repeat_input", "Asked again for what was already given", "CV uploaded, then the same data typed again"),
    ("dead_end", "No way forward; the channel cannot help",
     "Hotel SMS assistant: \"we cannot help with that request\""),
    ("no_human", "Cannot reach a person", "Insurance claim with no number to call"),
    ("long_wait", "Waiting far beyond reason", "Two hours to reach support after a cancelled flight"),
    ("hidden_control", "Cannot find or understand a basic control", "The hotel room light switch"),
    ("fragile", "Ordinary behaviour breaks the system",
     "Scanning an orange disabled three of four self-checkouts"),
    ("needless_complexity", "Bells and whistles nobody needed", "An app where a simple counter would do"),
    ("broken_promise", "Price, time or quality not as promised", "Late delivery, changed price"),
    ("lost_context", "A hand-off between channels loses what was said", "Re-explaining after a transfer"),
    ("survey_fatigue", "Asked to rate the service that just failed",
     "A satisfaction survey after an unsolved problem"),
]


def install_builtin_tags(friction_tag_model) -> None:
    for position, (code, label, example) in enumerate(BUILTIN_FRICTION_TAGS):
        friction_tag_model.objects.update_or_create(
            organization=None, code=code, defaults={"label": label, "example": example, "position": position})

"""Demo journeys: the five stories of the sources, each with its stages and steps (realistic promises
and reach, moments of truth), a published checklist generated from it (and extended a little), and
a scenario; personas economy (the ordinary customer) and first class.

Run again, it converges on the same rows: journeys, stages and steps are found by name (their ids
kept, so walks made on them stay valid), a template is published only when it has no version yet.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audits.checklists.generate import template_from_journey
from audits.checklists.services import template_publish, template_update
from audits.models import ChecklistTemplate, Scenario
from journeys.models import Journey, Persona
from journeys.services import journey_write


def step(name: str, channel: str, promise_level: int, promise_text: str, reach: float, *, touchpoint: str = "",
         expected_seconds: int | None = None, moment_of_truth: bool = False) -> dict[str, Any]:
    return {"name": name, "touchpoint": touchpoint, "channel": channel, "promise_level": promise_level,
            "promise_text": promise_text, "reach": reach, "expected_seconds": expected_seconds,
            "moment_of_truth": moment_of_truth}


def yes_no(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "kind": "yes_no", "required": True, **extra}


STORIES: list[dict[str, Any]] = [
    {
        "name": "Hotel stay",
        "description": "A business traveller's night: arrival after a long day, a dark room, and an SMS "
                       "assistant that cannot help.",
        "stages": [
            ("Before arrival", [
                step("Booking confirmation e-mail", "email", 4, "Everything needed for arrival in one e-mail", 1.0,
                     touchpoint="Confirmation e-mail"),
                step("Welcome text from the hotel", "sms", 4, "Text us any time: a reply within minutes", 0.85,
                     touchpoint="SMS assistant"),
            ]),
            ("Arrival", [
                step("Check in at the front desk", "in_store", 4, "Keys in hand within 5 minutes", 1.0,
                     touchpoint="Front desk", expected_seconds=300, moment_of_truth=True),
                step("Find the room", "in_store", 4, "Clear signs from the lift", 0.98, touchpoint="Corridors",
                     expected_seconds=180),
            ]),
            ("In the room", [
                step("Switch the room's lights on", "in_store", 5, "Lights on as you walk in", 0.95,
                     touchpoint="Room light switch", expected_seconds=30, moment_of_truth=True),
                step("Ask the SMS assistant for help", "sms", 4, "A useful answer or a person within 5 minutes",
                     0.3, touchpoint="SMS assistant", expected_seconds=300),
            ]),
            ("Departure", [
                step("Check out", "in_store", 4, "Bill settled in 2 minutes, no surprises", 1.0,
                     touchpoint="Front desk", expected_seconds=120, moment_of_truth=True),
            ]),
        ],
        "extra": {"Switch the room's lights on": [
            yes_no("light_within_a_minute", "Were the lights on within a minute?", critical=True, weight=2),
            {"name": "light_where", "label": "Where was the switch?", "kind": "single_choice",
             "options": {"choices": [{"value": "door", "label": "By the door"},
                                     {"value": "card_slot", "label": "Key card slot"},
                                     {"value": "bedside", "label": "Bedside panel"},
                                     {"value": "hidden", "label": "Hidden (curtain, wardrobe…)"}]},
             "shown_when": {"item": "light_within_a_minute", "equals": "no"}},
        ], "Ask the SMS assistant for help": [
            yes_no("sms_solved", "Did the assistant solve it or put you through to a person?", critical=True),
        ]},
        "scenario": ("Dark room, late arrival", "Arrive after 22:00 after a long journey. In the room, try to "
                     "switch the lights on without help. If you cannot within a minute, text the hotel's SMS "
                     "assistant: \"I can't find the light switch\". Time its answer; note whether a person "
                     "steps in."),
    },
    {
        "name": "Supermarket self-checkout",
        "description": "A small shop paid at a self-checkout, with loose produce: the orange that froze the till.",
        "stages": [
            ("In the aisles", [
                step("Pick loose fruit and vegetables", "in_store", 3, "Prices and codes clear on every shelf", 0.7,
                     touchpoint="Produce shelves", expected_seconds=120),
            ]),
            ("Self-checkout", [
                step("Find a free self-checkout", "kiosk", 4, "A free till within 2 minutes", 1.0,
                     touchpoint="Self-checkout area", expected_seconds=120),
                step("Scan packaged items", "kiosk", 4, "Beep and go", 1.0, touchpoint="Self-checkout till",
                     expected_seconds=90),
                step("Add loose produce (the orange)", "kiosk", 4, "Found by picture or code in seconds; scanning "
                     "it by mistake does no harm", 0.6, touchpoint="Self-checkout till", expected_seconds=45,
                     moment_of_truth=True),
                step("Call for staff help", "in_store", 3, "An assistant within a minute", 0.25,
                     touchpoint="Checkout assistant", expected_seconds=60),
                step("Pay and take the receipt", "kiosk", 4, "Card or phone, under 30 seconds", 1.0,
                     touchpoint="Payment terminal", expected_seconds=30, moment_of_truth=True),
            ]),
        ],
        "extra": {"Add loose produce (the orange)": [
            yes_no("orange_scanned_ok", "Did scanning the orange's sticker leave the till working?", critical=True,
                   weight=2),
            {"name": "tills_open", "label": "Self-checkouts working when you left", "kind": "number",
             "options": {"unit": "tills", "min": 0, "max": 20}},
        ]},
        "scenario": ("The orange", "Buy three packaged items and two loose oranges at a self-checkout. Scan an "
                     "orange's sticker as a customer would, before looking for it by picture or code. Note what "
                     "the till does, how long help takes, and how many tills still work."),
    },
    {
        "name": "Job application",
        "description": "Applying for a vacancy online: upload a CV, then be asked to type it all again.",
        "stages": [
            ("Find", [
                step("Find the vacancy", "web", 4, "Every open role, searchable", 1.0, touchpoint="Careers site",
                     expected_seconds=180),
            ]),
            ("Apply", [
                step("Upload your CV", "web", 4, "Apply in 5 minutes with your CV", 0.8, touchpoint="Application form",
                     expected_seconds=120, moment_of_truth=True),
                step("Retype the CV into the form", "web", 4, "We read your CV for you", 0.75,
                     touchpoint="Application form", expected_seconds=60, moment_of_truth=True),
                step("Submit and get a confirmation", "email", 4, "A confirmation e-mail at once", 0.6,
                     touchpoint="Confirmation e-mail", expected_seconds=60),
            ]),
            ("Hear back", [
                step("Hear back from a recruiter", "email", 3, "An answer within two weeks", 0.6,
                     touchpoint="Recruiter", moment_of_truth=True),
            ]),
        ],
        "extra": {"Retype the CV into the form": [
            yes_no("cv_prefilled", "Was the form filled in from the uploaded CV?", critical=True, weight=2),
            {"name": "fields_retyped", "label": "Fields typed again by hand", "kind": "number",
             "options": {"unit": "fields", "min": 0, "max": 60},
             "shown_when": {"item": "cv_prefilled", "equals": "no"}},
        ]},
        "scenario": ("Apply with a CV", "Apply for the posted customer-service role with the prepared CV (PDF). "
                     "Count every field the form asks you to type that the CV already holds; time the whole "
                     "application; keep the confirmation e-mail."),
    },
    {
        "name": "Insurance claim",
        "description": "Reporting damage to a home insurer, and trying to reach a person.",
        "stages": [
            ("Report", [
                step("Report the damage online", "web", 4, "File a claim in 10 minutes", 1.0,
                     touchpoint="Claims form", expected_seconds=600),
                step("Look for a number to call", "web", 4, "Talk to a person whenever you need to", 0.6,
                     touchpoint="Contact page", expected_seconds=120, moment_of_truth=True),
            ]),
            ("Reach a person", [
                step("Chat with the virtual assistant", "chat", 3, "The assistant hands over to an agent", 0.5,
                     touchpoint="Chatbot", expected_seconds=300),
                step("Reach a claims handler", "phone", 4, "A claims handler within 10 minutes", 0.45,
                     touchpoint="Claims line", expected_seconds=600, moment_of_truth=True),
            ]),
            ("Follow-up", [
                step("Claim acknowledged", "email", 4, "Acknowledged within 24 hours, investigated within 5 days",
                     0.9, touchpoint="Claims team", moment_of_truth=True),
                step("Satisfaction survey", "email", 2, "One short question", 0.7, touchpoint="Survey e-mail"),
            ]),
        ],
        "extra": {"Reach a claims handler": [
            yes_no("reached_a_person", "Did you reach a person?", critical=True, weight=3),
            {"name": "time_to_person", "label": "Time until a person answered", "kind": "duration",
             "options": {"measure": "wait"}, "shown_when": {"item": "reached_a_person", "equals": "yes"}},
        ]},
        "scenario": ("Can I talk to someone?", "Report water damage in the kitchen through the website. Then try to "
                     "speak to a person about it: look for a number, try the chat, call. Time until a person "
                     "answers, or until you give up (stop at 30 minutes)."),
    },
    {
        "name": "Cancelled flight",
        "description": "A flight cancelled the night before: reaching support and rebooking, in economy and in "
                       "first class.",
        "stages": [
            ("Disruption", [
                step("Cancellation notice", "app", 4, "Told at once, with options", 1.0, touchpoint="Airline app",
                     expected_seconds=60),
                step("Reach customer support", "phone", 4, "An agent within 15 minutes", 0.7,
                     touchpoint="Support line", expected_seconds=900, moment_of_truth=True),
            ]),
            ("Rebooking", [
                step("Rebook in the app", "app", 4, "The next flight offered in two taps", 0.5,
                     touchpoint="Airline app", expected_seconds=300),
                step("Rebook at the airport desk", "in_store", 3, "Rebooked within 30 minutes", 0.3,
                     touchpoint="Transfer desk", expected_seconds=1800),
                step("Meal and hotel vouchers", "in_store", 3, "Care while you wait overnight", 0.4,
                     touchpoint="Transfer desk"),
            ]),
            ("Travel", [
                step("Board the new flight", "in_store", 4, "Same class, seat kept together", 0.9,
                     touchpoint="Gate", moment_of_truth=True),
            ]),
        ],
        "extra": {"Reach customer support": [
            {"name": "support_wait", "label": "Time to reach a person", "kind": "duration",
             "options": {"measure": "wait"}, "required": True},
            {"name": "support_score", "label": "The agent's help", "kind": "score", "weight": 2,
             "options": {"min": 1, "max": 5, "labels": {"1": "No help", "3": "Rebooked, with effort",
                                                        "5": "Solved at once"}}},
        ], "Rebook in the app": [
            {"name": "offered_class", "label": "Class offered on the new flight", "kind": "single_choice",
             "options": {"choices": [{"value": "same", "label": "The class booked"},
                                     {"value": "lower", "label": "A lower class"},
                                     {"value": "none", "label": "No flight offered"}]}},
        ], "Board the new flight": [
            yes_no("class_kept", "Did you fly in the class you had booked?", critical=True, weight=2),
        ]},
        "scenario": ("Cancelled the night before", "Your evening flight is cancelled. Walk it twice in the same "
                     "week: once booked in economy, once in first class. Time until you reach a person, and "
                     "note what each is offered to rebook."),
    },
]

PERSONAS = [
    ("economy", "Ordinary customer (economy)", 0, True,
     "Books the cheapest option, travels or shops alone, no status: what most customers go through."),
    ("first_class", "Premium customer (first class)", 2, False,
     "Pays for the best tier and has status: what executives see when they travel first class."),
]


def _document(story: dict[str, Any], journey: Journey | None) -> list[dict[str, Any]]:
    """The story's stages and steps, with the ids of rows that already exist (found by name)."""
    stage_ids: dict[str, int] = {}
    step_ids: dict[str, int] = {}
    if journey is not None:
        stage_ids = dict(journey.stages.values_list("name", "pk"))
        step_ids = dict(journey.steps.values_list("name", "pk"))
    stages = []
    for stage_name, steps in story["stages"]:
        stage: dict[str, Any] = {"name": stage_name, "steps": []}
        if stage_name in stage_ids:
            stage["id"] = stage_ids[stage_name]
        for data in steps:
            stage["steps"].append({**data, **({"id": step_ids[data["name"]]} if data["name"] in step_ids else {})})
        stages.append(stage)
    return stages


def _extended(template: ChecklistTemplate, extra: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    draft = template.draft
    for section in draft["sections"]:
        for item in extra.get(section["title"], []):
            section["items"].insert(0, {"step": section["step"], **item})
    return draft


@transaction.atomic
def seed_journeys(demo) -> None:
    org, client = demo.organization, demo.client
    for tier, name, rank, ordinary, description in PERSONAS:
        Persona.objects.update_or_create(organization=org, client=client, tier=tier, defaults={
            "name": name, "tier_rank": rank, "is_ordinary": ordinary, "description": description})
    for story in STORIES:
        journey = Journey.objects.filter(organization=org, client=client, name=story["name"]).first()
        journey = journey_write(journey=journey, client=client, name=story["name"],
                                description=story["description"], stages=_document(story, journey),
                                user=demo.users.get("manager"))
        template_name = f"{story['name']} walk"
        template = ChecklistTemplate.objects.filter(organization=org, journey=journey, name=template_name).first()
        if template is None:
            template = template_from_journey(journey=journey, name=template_name)
            template = template_update(template=template, draft=_extended(template, story["extra"]))
        if not template.versions.exists():
            template_publish(template=template, user=demo.users.get("manager"))
        title, brief = story["scenario"]
        Scenario.objects.update_or_create(organization=org, journey=journey, title=title,
                                          defaults={"client": client, "brief": brief})

"""Fieldwork: planning visits (`planning`), the phone's audit upsert (`upsert`, its answers' typed copies and
friction marks in `answers`, check-in distance in `geo`), the sync feed (`feed`, its `cursors`), photo evidence
(upload checks in `photo_checks`, renditions in `imaging`, the services and the rendition task in `photos`) and
review (`review`). `visibility` reads rows through a membership already held.

Each write is one keyword-only function in a transaction that raises `accounts.errors` domain errors;
the API views only parse, call one of these, and answer."""

"""Fieldwork services: planning visits, syncing audits from the phone, photo evidence, review.

Each write is one keyword-only function in a transaction that raises `accounts.errors` domain errors;
the API views only parse, call one of these, and answer."""

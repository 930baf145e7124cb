"""The sync feed's cursor: an opaque token for "the moment of the last answer", given by the server and
sent back by the phone as `since`."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from accounts.errors import ValidationFailed

#: The cursor looks back this far: a row committed by a transaction that started before the last
#: answer (its updated_at is older than the cursor) is still sent. Repeats are harmless (the phone
#: merges by id).
CURSOR_OVERLAP = timedelta(seconds=30)


def encode_cursor(moment: datetime) -> str:
    return base64.urlsafe_b64encode(f"t1:{moment.isoformat()}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> datetime | None:
    """The moment from which rows count as changed (the cursor's, less the overlap); None: from the start."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment = datetime.fromisoformat(text.removeprefix("t1:")) if text.startswith("t1:") else None
    except (ValueError, UnicodeDecodeError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationFailed.field("since", "Not a cursor this server gave; sync from the start (leave it out).")
    return moment - CURSOR_OVERLAP

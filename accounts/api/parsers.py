"""The API's JSON parser: orjson (fast, strict), then one walk over the document that refuses what no field
may hold — nesting deeper than `MAX_DEPTH`, NUL characters (PostgreSQL cannot store them in text), numbers a
double cannot hold — with a 400 that names the place, before any view or service sees the body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from accounts.errors import ValidationFailed

#: Deeper than any document Touchpoint reads (a journey: stages → steps → fields is 5).
MAX_DEPTH = 32
#: Integers beyond ±2^53 are not numbers a phone (JavaScript) or a float column can hold exactly.
MAX_SAFE_INTEGER = 2**53 - 1


def check_document(value: Any, path: str = "", depth: int = 0) -> None:
    """Raises ValidationFailed at the first place that breaks the rules above."""
    if depth > MAX_DEPTH:
        raise ValidationFailed.field(path or "body", f"Nested deeper than {MAX_DEPTH} levels.", code="too_deep")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationFailed.field(path or "body", "Text may not contain NUL characters.")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValidationFailed.field(path or "body", f"Whole numbers must lie within ±{MAX_SAFE_INTEGER}.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                raise ValidationFailed.field(path or "body", "Keys may not contain NUL characters.")
            check_document(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_document(item, f"{path}.{index}" if path else str(index), depth + 1)


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            # orjson refuses NaN/Infinity, integers past 64 bits and nesting past 1024 as invalid JSON
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        check_document(data)
        return data

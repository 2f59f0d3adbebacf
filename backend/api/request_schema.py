"""The base of every request schema."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError


class RequestSchema(Schema):
    """Base of request schemas: an unknown field's error names the fields the request may have."""

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        messages = error.messages
        if not isinstance(messages, dict):
            return
        expected = ", ".join(sorted(self.load_fields))
        hint = f"Unknown field; the fields are: {expected}."
        if any(v == ["Unknown field."] for v in messages.values()):
            fixed = {k: [hint] if v == ["Unknown field."] else v for k, v in messages.items()}
            raise ValidationError(fixed, data=data, valid_data=error.valid_data)

"""What every API serializer builds on: strict input, the one error shape, ISO times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from api.errors import TITLES


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {k: ["This field is not known. Check its spelling."] for k in unknown}
                )
        return super().to_internal_value(data)


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer has this shape."""

    status = serializers.IntegerField(help_text="The HTTP status code.")
    title = serializers.CharField(help_text="A short summary of the kind of problem.")
    detail = serializers.CharField(help_text="What went wrong, and what to do about it.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages for each bad field, by its path in the request, e.g. "
        '"answers.SCH-SENCO-NAMED.value" or "period"; problems with the request as a whole '
        "under non_field_errors. Empty for a body that is not valid JSON and for every status "
        "other than 400.",
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input: each bad field is named in `errors`.",
    401: "No token, or the token is unknown, expired or revoked.",
    403: "Signed in, but not allowed to do this (for example, read-only access to the provider).",
    404: "Nothing at this address that you can see.",
    405: "The endpoint does not accept this method.",
    406: "The endpoint cannot answer in the media type asked for in Accept.",
    409: "The declaration's state refuses the change: it has been submitted (start a revision).",
    412: "If-Match does not name the declaration's current ETag: someone changed it since you read it.",
    413: "The body is larger than 2.5 MB.",
    415: "The body must be JSON (Content-Type: application/json).",
    428: "If-Match is missing: send the ETag from your last GET.",
    429: "Too many requests for this token: wait for the number of seconds in Retry-After.",
}
assert set(ERROR_DESCRIPTIONS) <= set(TITLES)


def iso_time(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it: in the current time zone, "Z" for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


Plan = list[tuple[str, Callable[[Any], Any]]]


class ComputedField(serializers.Field):
    """A field computed from the whole row (source "*"), which gives the plan its writer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def plan_writer(self) -> Callable[[Any], Any]:
        return self.to_representation


def _reader(attrs: list[str]) -> Callable[[Any], Any]:
    def read(obj: Any) -> Any:
        for attr in attrs:
            if obj is None:
                return None
            obj = obj[attr] if isinstance(obj, dict) else getattr(obj, attr)
        return obj

    return read


def _writer(field: serializers.Field) -> Callable[[Any], Any]:
    if isinstance(field, ComputedField):
        return field.plan_writer()
    read = _reader(field.source_attrs)
    if isinstance(field, serializers.DateTimeField):
        return lambda obj: iso_time(read(obj))
    if isinstance(field, RowSerializer):
        nested = type(field).plan()
        return lambda obj: write(nested, read(obj))
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, RowSerializer):
        rows = type(field.child).plan()
        return lambda obj: [write(rows, item) for item in read(obj)]
    return read


def write(plan: Plan, obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {name: writer(obj) for name, writer in plan}


# A RowSerializer writes its declared fields, with DRF's keys and formats, from a plan made once
# per class: the fields stay the one description of the output (and of the OpenAPI schema),
# without DRF's per-field work on the hot paths. Fields are read as attributes, or dict keys.
# (Its docstring would become every subclass's description in the schema, so it has none.)
class RowSerializer(serializers.Serializer):
    @classmethod
    @cache
    def plan(cls) -> Plan:
        return [(name, _writer(field)) for name, field in cls().fields.items()]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return write(type(self).plan(), instance) or {}

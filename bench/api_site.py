"""The site the API benchmark serves with gunicorn: the real URLs plus the "floor", a minimal
hand-written Django view that returns the same JSON as GET /api/v1/declarations/{id}/ with no
framework, authentication or permissions. Used only by bench/api.py (as its ROOT_URLCONF)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone

from core.urls import urlpatterns as site_urlpatterns

DECLARATION = (
    "id", "provider_id", "provider__name", "provider__provider_type", "provider__urn",
    "provider__ukprn", "version_id", "version__standard__slug", "version__version", "period",
    "revision", "revises_id", "status", "review_status", "health_review_status", "created_at",
    "submitted_at", "reviewed_at", "health_reviewed_at", "updated_at", "row_version",
    "review_comment", "health_review_comment", "local_version_id",
    "local_version__standard__slug", "local_version__version", "local_version__content_hash",
)  # fmt: skip
ANSWER = (
    "requirement_key", "answer_type", "value_bool", "value_number", "value_date", "value_text",
    "value_choices", "not_applicable", "not_applicable_reason", "evidence_url", "evidence_note",
    "needs_attention", "attention_reason", "review_state", "review_comment", "reviewed_as",
    "updated_at",
)  # fmt: skip
COLUMN = {
    "yes_no": "value_bool",
    "number": "value_number",
    "date": "value_date",
    "single_choice": "value_text",
    "url": "value_text",
    "text": "value_text",
    "multiple_choice": "value_choices",
}


def _time(value: Any) -> Any:
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _value(row: dict[str, Any]) -> Any:
    raw = row[COLUMN[row["answer_type"]]]
    if raw == "":
        return None
    if isinstance(raw, Decimal):
        return f"{raw.normalize():f}"
    if hasattr(raw, "isoformat"):
        return raw.isoformat()
    return raw


def floor(request: HttpRequest, pk: int) -> JsonResponse:
    from audits.models import Answer, Declaration

    d = Declaration.objects.filter(pk=pk).values(*DECLARATION).get()
    answers = list(
        Answer.objects.filter(declaration_id=pk)
        .order_by("requirement__section__order", "requirement__order")
        .values(*ANSWER)
    )
    data = {
        "id": d["id"],
        "provider": {
            "id": d["provider_id"],
            "name": d["provider__name"],
            "provider_type": d["provider__provider_type"],
            "urn": d["provider__urn"],
            "ukprn": d["provider__ukprn"],
        },
        "version": {
            "id": d["version_id"],
            "standard": d["version__standard__slug"],
            "version": d["version__version"],
        },
        "local_version": (
            {
                "id": d["local_version_id"],
                "standard": d["local_version__standard__slug"],
                "version": d["local_version__version"],
                "content_hash": d["local_version__content_hash"],
            }
            if d["local_version_id"]
            else None
        ),
        "period": d["period"],
        "revision": d["revision"],
        "revises": d["revises_id"],
        "status": d["status"],
        "review_status": d["review_status"],
        "health_review_status": d["health_review_status"],
        "created_at": _time(d["created_at"]),
        "submitted_at": _time(d["submitted_at"]),
        "reviewed_at": _time(d["reviewed_at"]),
        "health_reviewed_at": _time(d["health_reviewed_at"]),
        "updated_at": _time(d["updated_at"]),
        "etag": f'"{d["id"]}-{d["row_version"]}"',
        "review_comment": d["review_comment"],
        "health_review_comment": d["health_review_comment"],
        "answers_scope": "all",
        "answered": sum(1 for a in answers if a["not_applicable"] or _value(a) is not None),
        "total": len(answers),
        "answers": [
            {
                "requirement_key": a["requirement_key"],
                "answer_type": a["answer_type"],
                "value": _value(a),
                "not_applicable": a["not_applicable"],
                "not_applicable_reason": a["not_applicable_reason"],
                "evidence_url": a["evidence_url"],
                "evidence_note": a["evidence_note"],
                "needs_attention": a["needs_attention"],
                "attention_reason": a["attention_reason"],
                "review_state": a["review_state"],
                "review_comment": a["review_comment"],
                "reviewed_as": a["reviewed_as"],
                "updated_at": _time(a["updated_at"]),
            }
            for a in answers
        ],
    }
    response = JsonResponse(data)
    response["ETag"] = data["etag"]
    return response


urlpatterns = [path("bench/floor/declarations/<int:pk>/", floor), *site_urlpatterns]

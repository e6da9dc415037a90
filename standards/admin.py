"""Standards admins edit drafts here; published versions are shown read-only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from standards.format import Problem, rule_problems
from standards.models import Requirement, Section, Standard, StandardVersion


def _is_draft(obj: Any) -> bool:
    if obj is None:
        return True
    version = obj if isinstance(obj, StandardVersion) else obj.version
    return version.is_draft


class FrozenWhenPublishedMixin:
    """Everything is read-only once the version has left draft."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _is_draft(obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and _is_draft(obj)  # type: ignore[misc]


class SectionInline(FrozenWhenPublishedMixin, admin.TabularInline):
    model = Section
    fields = ("order", "code", "title", "weight")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and _is_draft(obj)


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "owner")
    search_fields = ("title", "slug")


@admin.register(StandardVersion)
class StandardVersionAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ("standard", "version", "status", "effective_from", "published_at")
    list_filter = ("status", "standard")
    readonly_fields = (
        "status",
        "published_at",
        "supersedes",
        "content_hash",
        "loaded_by",
        "created_at",
    )
    fields = (
        "standard",
        "version",
        "title",
        "owner",
        "effective_from",
        "grace_period_days",
        "change_notes",
        *readonly_fields,
    )
    inlines = [SectionInline]


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Requirement
        fields = [
            "version",
            "section",
            "order",
            "key",
            "title",
            "question",
            "guidance",
            "theme",
            "applies_to",
            "strength",
            "weight",
            "answer_type",
            "answer_options",
            "rule",
            "allow_not_applicable",
            "evidence_prompt",
            "evidence_required",
            "citations",
            "effective_from",
            "effective_to",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule, answer_type = data.get("rule"), data.get("answer_type")
        version = data.get("version")
        if isinstance(rule, dict) and answer_type and version is not None:
            lookup = {
                r.key: (
                    r.key,
                    {
                        "key": r.key,
                        "applies_to": r.applies_to,
                        "answer": {"type": r.answer_type, **r.answer_options},
                    },
                )
                for r in Requirement.objects.filter(version=version)
            }
            me = {
                "applies_to": data.get("applies_to") or [],
                "answer": {"type": answer_type, **(data.get("answer_options") or {})},
            }
            try:
                problems: list[Problem] = rule_problems(
                    "rule", rule, data.get("key", ""), me, lookup
                )
            except (KeyError, TypeError) as exc:
                problems = [Problem("rule", f"the rule is incomplete: {exc}")]
            if problems:
                raise forms.ValidationError([str(p) for p in problems])
        return data


@admin.register(Requirement)
class RequirementAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    form = RequirementForm
    list_display = ("key", "title", "strength", "answer_type", "version")
    list_filter = ("version__standard", "version", "strength", "theme", "answer_type")
    search_fields = ("key", "title")
    list_select_related = ("version__standard",)


@admin.register(Section)
class SectionAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ("code", "title", "version", "order", "weight")
    list_filter = ("version",)

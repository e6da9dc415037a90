"""Standards admins edit drafts here; published versions are shown read-only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from standards.canonical import requirement_document
from standards.format import Problem, normalise_requirement, requirement_problems
from standards.models import Requirement, Section, Standard, StandardVersion, VersionStatus


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Published exports and links name the slug.
        if obj is not None and obj.has_left_draft():
            return Standard.FROZEN_FIELDS
        return ()


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


def limit_to_drafts(form: forms.ModelForm) -> None:
    """Offer only what can change. (A published object's page shows no fields to limit.)"""
    version, section = form.fields.get("version"), form.fields.get("section")
    if isinstance(version, forms.ModelChoiceField):
        version.queryset = StandardVersion.objects.filter(
            status=VersionStatus.DRAFT
        ).select_related("standard")
    if isinstance(section, forms.ModelChoiceField):
        sections = Section.objects.filter(version__status=VersionStatus.DRAFT)
        chosen = str(form.data.get(form.add_prefix("version")) or form.instance.version_id or "")
        if chosen.isdigit():
            sections = sections.filter(version_id=int(chosen))
        section.queryset = sections.select_related("version__standard")


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["version", "code", "title", "description", "order", "weight"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The models' clean() turns any refusal left into a form error (not a 500).
        limit_to_drafts(self)


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.version}: {obj.code} {obj.title}"


class RequirementForm(forms.ModelForm):
    """Checked by the loader's own checks, and stored in canonical form, so that it publishes."""

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
        field_classes = {"section": SectionChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to_drafts(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("version") is None:
            return data  # the fields' own errors first
        document = self._document(data)
        try:
            others = {
                r.key: requirement_document(r)
                for r in Requirement.objects.filter(version=data["version"]).exclude(
                    pk=self.instance.pk
                )
            }
            problems = requirement_problems(document, others)
        except (KeyError, TypeError) as exc:
            # Another requirement of the draft, edited before these checks, is incomplete.
            problems = [Problem("rule", f"the rule cannot be checked: {exc}")]
        for problem in problems:
            self.add_error(_field_of(problem.place), str(problem))
        if not problems:
            data.update(self._canonical_fields(normalise_requirement(document)))
        return data

    def _document(self, data: dict[str, Any]) -> dict[str, Any]:
        """The requirement as the loader would read it, from the values as they were given."""
        fields = {name: data.get(name) for name in self._meta.fields or ()}
        bare = Requirement(**{**fields, "applies_to": [], "citations": [], "answer_options": {}})
        options = data.get("answer_options") or {}
        return {
            **requirement_document(bare),
            "applies_to": data.get("applies_to"),
            "citations": data.get("citations"),
            "answer": {**options, "type": data["answer_type"]}
            if isinstance(options, dict)
            else options,
        }

    @staticmethod
    def _canonical_fields(document: dict[str, Any]) -> dict[str, Any]:
        answer = dict(document["answer"])
        return {
            "applies_to": document["applies_to"],
            "weight": document["weight"],
            "answer_type": answer.pop("type"),
            "answer_options": answer,
            "rule": document["rule"],
            "citations": document["citations"],
        }


def _field_of(place: str) -> str | None:
    """The form field holding a place in the requirement's document (None: the whole form)."""
    head = place.split(".")[0].split("[")[0]
    if place == "answer.type":
        return "answer_type"
    name = "answer_options" if head == "answer" else head
    return name if name in RequirementForm.base_fields else None


@admin.register(Requirement)
class RequirementAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    form = RequirementForm
    list_display = ("key", "title", "strength", "answer_type", "version")
    list_filter = ("version__standard", "version", "strength", "theme", "answer_type")
    search_fields = ("key", "title")
    list_select_related = ("version__standard",)


@admin.register(Section)
class SectionAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    form = SectionForm
    list_display = ("code", "title", "version", "order", "weight")
    list_filter = ("version",)

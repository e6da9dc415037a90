from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from standards import selectors
from standards.models import Requirement, StandardVersion
from standards.rules import describe_rule
from standards.vocabulary import ProviderType


def standard_list(request: HttpRequest) -> HttpResponse:
    standards = selectors.standards_with_versions(user=request.user)
    return render(request, "standards/standard_list.html", {"standards": standards})


def _version_or_404(request: HttpRequest, slug: str, version: str) -> StandardVersion:
    try:
        return selectors.get_version(user=request.user, slug=slug, version=version)
    except StandardVersion.DoesNotExist as exc:
        raise Http404("No such standard version") from exc


def version_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    standard_version = _version_or_404(request, slug, version)
    provider_type = request.GET.get("provider_type") or None
    error = None
    if provider_type and provider_type not in ProviderType.values:
        error = "Select a provider type from the list"
        provider_type = None
    groups = selectors.sections_with_requirements(
        version=standard_version, provider_type=provider_type
    )
    other_versions = [
        v
        for v in selectors.visible_versions(user=request.user).filter(
            standard=standard_version.standard
        )
        if v.pk != standard_version.pk
    ]
    return render(
        request,
        "standards/version_detail.html",
        {
            "version": standard_version,
            "groups": groups,
            "requirement_count": sum(len(g.requirements) for g in groups),
            "provider_type": provider_type,
            "provider_type_label": ProviderType(provider_type).label if provider_type else None,
            "provider_types": ProviderType.choices,
            "other_versions": other_versions,
            "filter_error": error,
        },
        status=400 if error else 200,
    )


def requirement_detail(request: HttpRequest, slug: str, version: str, key: str) -> HttpResponse:
    standard_version = _version_or_404(request, slug, version)
    try:
        requirement = selectors.get_requirement(version=standard_version, key=key)
    except Requirement.DoesNotExist as exc:
        raise Http404("No such requirement") from exc
    lookup = selectors.requirement_lookup(standard_version)
    answer = {"type": requirement.answer_type, **requirement.answer_options}
    return render(
        request,
        "standards/requirement_detail.html",
        {
            "version": standard_version,
            "requirement": requirement,
            "rule_text": describe_rule(requirement.rule, answer, lookup.get),
        },
    )


def version_diff(request: HttpRequest, slug: str) -> HttpResponse:
    versions = list(
        selectors.visible_versions(user=request.user)
        .filter(standard__slug=slug)
        .order_by("effective_from", "created_at")
    )
    if not versions:
        raise Http404("No such standard")
    by_label = {v.version: v for v in versions}
    errors: dict[str, str] = {}
    old_label = request.GET.get("from") or (
        versions[-2].version if len(versions) > 1 else versions[0].version
    )
    new_label = request.GET.get("to") or versions[-1].version
    if old_label not in by_label:
        errors["from"] = "Select the version to compare from"
    if new_label not in by_label:
        errors["to"] = "Select the version to compare to"
    diff = None
    if not errors:
        diff = selectors.diff_versions(old=by_label[old_label], new=by_label[new_label])
    return render(
        request,
        "standards/version_diff.html",
        {
            "standard": versions[0].standard,
            "versions": versions,
            "old_label": old_label,
            "new_label": new_label,
            "diff": diff,
            "errors": errors,
        },
        status=400 if errors else 200,
    )

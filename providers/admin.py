from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.services import record
from providers.models import (
    Area,
    IcbAreaCoverage,
    IntegratedCareBoard,
    Provider,
    ProviderLink,
    Trust,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "gss_code", "region_name")
    search_fields = ("name", "code", "gss_code")
    list_filter = ("region_name",)


class CoverageInline(admin.TabularInline):
    model = IcbAreaCoverage
    extra = 0
    autocomplete_fields = ("area",)


@admin.register(IntegratedCareBoard)
class IntegratedCareBoardAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "nhs_code")
    search_fields = ("name", "code", "nhs_code")
    inlines = [CoverageInline]


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


class LinkInline(admin.TabularInline):
    model = ProviderLink
    fk_name = "provider"
    extra = 0
    fields = ("linked_urn", "linked_provider", "link_type", "direction", "established_on")
    raw_id_fields = ("linked_provider",)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "provider_type", "urn", "ukprn", "area", "status")
    list_filter = ("provider_type", "status", "phase")
    search_fields = ("name", "urn", "ukprn", "la_code", "icb_code")
    list_select_related = ("area",)
    autocomplete_fields = ("area", "trust", "icb")
    inlines = [LinkInline]

    def save_model(self, request: HttpRequest, obj: Provider, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,  # type: ignore[arg-type]
            action="provider changed" if change else "provider created",
            obj=obj,
            changes={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
        )

    def delete_model(self, request: HttpRequest, obj: Provider) -> None:
        record(actor=request.user, action="provider deleted", obj=obj)  # type: ignore[arg-type]
        super().delete_model(request, obj)

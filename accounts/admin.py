from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.access import access_for
from accounts.models import AuditEvent, RoleGrant, User

# Devices hold secrets (the authenticator's key, unused recovery codes): nobody reads them here.
# A site admin resets a person's second factor with the action on the person instead.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


def _staff(request: HttpRequest) -> User:
    """The person using the admin site: only signed-in staff get this far."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


class InviteForm(forms.ModelForm):
    """Adding a person invites them: they choose their own password from the emailed link."""

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A person with this email address already has an account.")
        return email


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    fields = ("role", "provider", "trust", "area", "icb", "granted_by", "granted_at")
    readonly_fields = ("granted_by", "granted_at")
    autocomplete_fields = ("provider", "trust", "area", "icb")
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_active", "is_staff", "grants__role")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("full_name",)}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    add_form = InviteForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name")}),)
    inlines = [RoleGrantInline]
    actions = [
        "send_invitations",
        "export_data",
        "deactivate",
        "pseudonymise",
        "reset_second_factor",
    ]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            services.record(
                actor=_staff(request),
                action="person changed",
                obj=obj,
                changes={"fields": form.changed_data},
            )
            if "is_active" in form.changed_data and not obj.is_active and obj != request.user:
                # Signed out everywhere and their tokens revoked, as the action does.
                services.deactivate_person(user=obj, actor=_staff(request))
            return
        obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        services.record(
            actor=_staff(request), action="person invited", obj=obj, changes={"email": obj.email}
        )
        services.send_invitation(user=obj, request=request)
        self.message_user(request, f"An invitation to set a password was sent to {obj.email}.")

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        # Grants go through the service so they are audited and the admin flags stay in line.
        instances = formset.save(commit=False)
        for grant in formset.deleted_objects:
            services.revoke_role(grant=grant, revoked_by=_staff(request))
        for grant in instances:
            if grant.pk:
                services.revoke_role(
                    grant=RoleGrant.objects.get(pk=grant.pk), revoked_by=_staff(request)
                )
            services.grant_role(
                user=form.instance,
                role=grant.role,
                scope=grant.scope_object,
                granted_by=_staff(request),
            )

    @admin.action(description="Send an invitation to set a password")
    def send_invitations(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.send_invitation(user=user, request=request)
        self.message_user(request, f"Sent {queryset.count()} invitation(s).", messages.SUCCESS)

    @admin.action(description="Export everything held about the person (JSON)")
    def export_data(self, request: HttpRequest, queryset: QuerySet[User]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Select one person to export.", messages.ERROR)
            return None
        return redirect("person_export", pk=queryset.get().pk)

    @admin.action(description="Deactivate: sign out, revoke tokens, no more sign-in")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        for user in queryset:
            try:
                services.deactivate_person(user=user, actor=_staff(request))
            except ValidationError as exc:
                self.message_user(request, f"{user.email}: {exc.messages[0]}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"Deactivated {done} person(s).", messages.SUCCESS)

    @admin.action(description="Replace deactivated people's names in the audit trail")
    def pseudonymise(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                changed = services.pseudonymise_person(user=user, actor=_staff(request))
            except ValidationError as exc:
                self.message_user(request, f"{user.email}: {exc.messages[0]}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{services.pseudonym_for(user)}: {changed} audit entries now use the pseudonym.",
                    messages.SUCCESS,
                )

    @admin.action(description="Reset the second factor: they set up a new authenticator app")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        if not access_for(request.user).site_admin:
            self.message_user(
                request, "Only site admins can reset a second factor.", messages.ERROR
            )
            return
        for user in queryset:
            services.reset_second_factor(user=user, actor=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            f"Reset the second factor of {queryset.count()} person(s); they are signed out and "
            "set up a new authenticator app when they next sign in.",
            messages.SUCCESS,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_label")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_label", "object_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

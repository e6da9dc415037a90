from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and sign-in"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.access import forget_grants
        from accounts.models import RoleGrant
        from accounts.session_device import forget_device

        # A device kept in the cache for the middleware is forgotten when it changes.
        for model in (TOTPDevice, StaticDevice):
            label = model._meta.label_lower
            post_save.connect(forget_device, sender=model, dispatch_uid=f"{label}-saved")
            post_delete.connect(forget_device, sender=model, dispatch_uid=f"{label}-deleted")
        # A person's grants, kept in the cache for their requests, are forgotten when one changes.
        post_save.connect(forget_grants, sender=RoleGrant, dispatch_uid="grants-saved")
        post_delete.connect(forget_grants, sender=RoleGrant, dispatch_uid="grants-deleted")

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and sign-in"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.session_device import forget_device

        # A device kept in the cache for the middleware is forgotten when it changes.
        for model in (TOTPDevice, StaticDevice):
            label = model._meta.label_lower
            post_save.connect(forget_device, sender=model, dispatch_uid=f"{label}-saved")
            post_delete.connect(forget_device, sender=model, dispatch_uid=f"{label}-deleted")

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Email notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from audits.models import Declaration, DeclarationRound
        from notifications import receivers
        from standards.signals import version_published

        post_save.connect(
            receivers.on_round_saved,
            sender=DeclarationRound,
            dispatch_uid="notifications-round-saved",
        )
        # A review saves the declaration with its outcome; the receiver ignores other saves.
        post_save.connect(
            receivers.on_declaration_saved,
            sender=Declaration,
            dispatch_uid="notifications-declaration-saved",
        )
        version_published.connect(
            receivers.on_version_published, dispatch_uid="notifications-version-published"
        )

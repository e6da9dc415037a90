from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = "Impact of draft standard versions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from impact import receivers
        from standards.models import Requirement, Section, StandardVersion
        from standards.signals import publish_check

        for model in (StandardVersion, Section, Requirement):
            post_save.connect(
                receivers.on_draft_saved, sender=model, dispatch_uid=f"impact-{model}"
            )
            post_delete.connect(
                receivers.on_draft_saved, sender=model, dispatch_uid=f"impact-del-{model}"
            )
        publish_check.connect(receivers.on_publish_check, dispatch_uid="impact-publish-check")

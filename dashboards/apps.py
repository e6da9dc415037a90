from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards and official statistics"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from audits.models import Declaration
        from dashboards import receivers

        # A new draft changes a provider's declaration status ("in progress") before any
        # scoring happens; everything else reaches the dashboards through the scoring jobs.
        post_save.connect(
            receivers.on_declaration_saved,
            sender=Declaration,
            dispatch_uid="dashboards-declaration-saved",
        )

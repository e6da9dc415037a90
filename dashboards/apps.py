from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards and official statistics"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from audits.models import Declaration
        from dashboards import receivers
        from inclusion.models import InclusionPlan
        from scoring.signals import gaps_changed, results_changed

        # Results and gaps reach the dashboards through what scoring announces; a new draft
        # changes a provider's declaration status ("in progress") before any scoring happens.
        results_changed.connect(receivers.on_results_changed, dispatch_uid="dashboards-results")
        gaps_changed.connect(receivers.on_gaps_changed, dispatch_uid="dashboards-gaps")
        post_save.connect(
            receivers.on_declaration_saved,
            sender=Declaration,
            dispatch_uid="dashboards-declaration-saved",
        )
        # The area dashboard keeps each area's plan coverage in the cache (dashboards.coverage).
        post_save.connect(
            receivers.on_plan_changed, sender=InclusionPlan, dispatch_uid="dashboards-plan-saved"
        )
        post_delete.connect(
            receivers.on_plan_changed, sender=InclusionPlan, dispatch_uid="dashboards-plan-deleted"
        )

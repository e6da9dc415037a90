from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring and gaps"

    def ready(self) -> None:
        from audits.signals import declaration_submitted
        from scoring import receivers
        from standards.signals import version_published

        declaration_submitted.connect(
            receivers.on_declaration_submitted, dispatch_uid="scoring-submitted"
        )
        version_published.connect(receivers.on_version_published, dispatch_uid="scoring-published")

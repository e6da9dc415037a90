from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring and gaps"

    def ready(self) -> None:
        from audits.signals import declaration_submitted
        from scoring import receivers

        declaration_submitted.connect(
            receivers.on_declaration_submitted, dispatch_uid="scoring-submitted"
        )
        try:
            from standards.signals import version_published
        except ImportError:  # pragma: no cover - older standards app without the signal
            return
        version_published.connect(receivers.on_version_published, dispatch_uid="scoring-published")

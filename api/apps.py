from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API and API tokens"

    def ready(self) -> None:
        from api import receivers  # noqa: F401  (revokes tokens on password and role changes)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coalition.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from coalition.core import checks  # noqa: F401  (registers the project's system checks)

from django.apps import AppConfig

from coalition.core import policy, rules


class CoreConfig(AppConfig):
    name = "coalition.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.core import checks  # noqa: F401  (registers the project's system checks)

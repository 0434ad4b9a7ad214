from django.apps import AppConfig

from coalition.core import policy
from coalition.programme import rules


class ProgrammeConfig(AppConfig):
    name = "coalition.programme"
    label = "programme"
    verbose_name = "Program of Action"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.programme import workplace

        workplace.register()
        from coalition.programme import search

        search.register_kinds()

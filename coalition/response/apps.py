from django.apps import AppConfig

from coalition.core import policy
from coalition.response import rules


class ResponseConfig(AppConfig):
    name = "coalition.response"
    label = "response"
    verbose_name = "Rapid response"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.response import search

        search.register_kinds()
        from coalition.response import evidence, signals

        evidence.register_types()
        signals.connect()
        from coalition.response import notices, workplace

        workplace.register()
        notices.register()

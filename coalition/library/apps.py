from django.apps import AppConfig

from coalition.core import policy
from coalition.library import rules


class LibraryConfig(AppConfig):
    name = "coalition.library"
    label = "library"
    verbose_name = "Agreed-language library"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.library import search

        search.register_kinds()
        from coalition.library import evidence, signals

        evidence.register_types()
        signals.connect()
        from coalition.library import workplace

        workplace.register()

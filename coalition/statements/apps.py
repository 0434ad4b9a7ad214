from django.apps import AppConfig

from coalition.core import policy
from coalition.statements import rules


class StatementsConfig(AppConfig):
    name = "coalition.statements"
    label = "statements"
    verbose_name = "Statements"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.statements import search

        search.register_kinds()
        from coalition.statements import evidence, reminders

        evidence.register_types()
        reminders.register_digest_section()
        from coalition.statements import notices, workplace

        workplace.register()
        notices.register()
        from coalition.statements import page_stamps

        page_stamps.register()

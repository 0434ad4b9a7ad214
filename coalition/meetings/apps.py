from django.apps import AppConfig

from coalition.core import policy
from coalition.meetings import rules


class MeetingsConfig(AppConfig):
    name = "coalition.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.meetings import search

        search.register_kinds()
        from coalition.meetings import evidence, logs, notices, reminders

        evidence.register_types()
        notices.register()
        reminders.register_digest_section()
        logs.install()
        from coalition.meetings import workplace

        workplace.register()

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coalition.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from coalition.core import digest, policy
        from coalition.notifications import rules, sections, workplace

        policy.register_rules(rules.RULES)
        digest.register_section("notifications", sections.TITLE, sections.collect, recipients=sections.recipients)
        workplace.register()

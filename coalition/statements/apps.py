from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "coalition.statements"
    label = "statements"
    verbose_name = "Statements"

    def ready(self) -> None:
        from coalition.statements import evidence, reminders

        evidence.register_types()
        reminders.register_digest_section()

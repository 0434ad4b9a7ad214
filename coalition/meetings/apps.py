from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "coalition.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from coalition.meetings import evidence, logs, reminders

        evidence.register_types()
        reminders.register_digest_section()
        logs.install()

from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "coalition.response"
    label = "response"
    verbose_name = "Rapid response"

    def ready(self) -> None:
        from coalition.response import evidence, signals

        evidence.register_types()
        signals.connect()

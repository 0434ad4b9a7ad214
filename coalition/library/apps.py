from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "coalition.library"
    label = "library"
    verbose_name = "Agreed-language library"

    def ready(self) -> None:
        from coalition.library import evidence, signals

        evidence.register_types()
        signals.connect()

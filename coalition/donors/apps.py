from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "coalition.donors"
    label = "donors"
    verbose_name = "Donor coordination"

    def ready(self) -> None:
        from coalition.donors import queries
        from coalition.response.queries import register_funding_note

        register_funding_note(queries.funding_note)

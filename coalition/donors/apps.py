from typing import Any

from django.apps import AppConfig

from coalition.core import policy
from coalition.donors import rules


def _funding_note(user: Any, country: Any) -> str:
    """Donor coordination's sentence for a situation's brief, imported when the first brief asks for it: the queries
    pull in the import and overlap machinery (openpyxl, NumPy), which every command and worker would otherwise load at
    start-up — `demo_totp` took seconds for a six-digit code (issue 17, item 5)."""
    from coalition.donors.queries import funding_note

    return funding_note(user, country)


class DonorsConfig(AppConfig):
    name = "coalition.donors"
    label = "donors"
    verbose_name = "Donor coordination"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.donors import search

        search.register_kinds()
        from coalition.response.queries import register_funding_note

        register_funding_note(_funding_note)
        from coalition.donors import workplace

        workplace.register()

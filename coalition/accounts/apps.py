from django.apps import AppConfig

from coalition.accounts import rules
from coalition.core import policy


class AccountsConfig(AppConfig):
    name = "coalition.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.accounts import notices

        notices.register()
        from coalition.accounts import signals  # noqa: F401  (security events into the ledger)
        from coalition.accounts.roles import resolve_actor

        policy.register_actor_resolver(resolve_actor)

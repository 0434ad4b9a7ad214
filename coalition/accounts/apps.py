from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coalition.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from coalition.accounts import signals  # noqa: F401  (security events into the ledger)
        from coalition.accounts.roles import resolve_actor
        from coalition.core.policy import register_actor_resolver

        register_actor_resolver(resolve_actor)

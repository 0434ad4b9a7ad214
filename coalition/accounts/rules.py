"""Who manages accounts (registered with the access policy from AccountsConfig.ready())."""

from __future__ import annotations

from coalition.core.policy import Role, Roles, Rule

RULES: dict[str, Rule] = {
    "accounts.manage": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
}

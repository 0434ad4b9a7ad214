"""The access rules of the core's own actions: public pages, signing in, one's own account, the audit pages, the
admin site and the API's door. Each app declares its own actions in its `rules.py` (see `policy.register_rules`)."""

from __future__ import annotations

from coalition.core.policy import Anyone, Role, Roles, Rule, SignedIn

RULES: dict[str, Rule] = {
    "public": Anyone(),
    "authentication": Anyone(description="the sign-in, MFA and password flows (rate-limited)"),
    "account.self": SignedIn(),
    "audit.view": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
    "admin.use": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
    "api.use": Anyone(description="anyone; each endpoint filters by classification"),
    "search.use": Anyone(description="anyone; each kind's results are its list page's, filtered by the policy"),
}

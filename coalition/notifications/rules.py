"""Who uses the notification pages (registered with the access policy from NotificationsConfig.ready())."""

from __future__ import annotations

from coalition.core.policy import Anyone, Rule, SignedIn

RULES: dict[str, Rule] = {
    # One's own notification centre and preferences: every row is the viewer's own.
    "notifications.own": SignedIn(),
    # The unsubscribe link of an email works without a session: the signed token says whose and which kind.
    "notifications.unsubscribe": Anyone(description="anyone holding a valid signed link from an email"),
}

"""Who reaches the health and metrics addresses (registered with the access policy from OpsConfig.ready())."""

from __future__ import annotations

from coalition.core.policy import Anyone, Rule

RULES: dict[str, Rule] = {
    # Load balancers and uptime monitors ask without signing in; the bodies name each check and its state, never an
    # address, a name or a secret.
    "ops.health": Anyone(description="anyone: states of the platform's checks, no secrets"),
    # Refused with 404 in the view unless asked from METRICS_ALLOWED_NETWORKS or with METRICS_TOKEN.
    "ops.metrics": Anyone(description="the operator's network or bearer token (checked in the view); else 404"),
}

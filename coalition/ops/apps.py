from django.apps import AppConfig

from coalition.core import policy
from coalition.ops import rules


class OpsConfig(AppConfig):
    name = "coalition.ops"
    label = "ops"
    verbose_name = "Running the platform"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.core import request_id
        from coalition.ops import metrics

        request_id.connect()
        metrics.connect()

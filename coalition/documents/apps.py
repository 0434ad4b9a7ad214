from django.apps import AppConfig

from coalition.core import policy
from coalition.documents import rules


class DocumentsConfig(AppConfig):
    name = "coalition.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.documents import notices

        notices.register()
        from coalition.documents import workplace

        workplace.register()
        from coalition.documents import search

        search.register_kinds()

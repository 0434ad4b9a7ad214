from django.apps import AppConfig

from coalition.core import policy
from coalition.directory import rules


class DirectoryConfig(AppConfig):
    name = "coalition.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        policy.register_rules(rules.RULES)
        from coalition.directory import notices

        notices.register()
        from coalition.directory import search

        search.register_kinds()
        from django.urls import reverse

        from coalition.core.evidence import EvidenceType, register
        from coalition.directory.models import Body, Organisation, Participation

        # A new member's participation step is evidence for membership activities (PoA 3D.1, 3D.2); a body such as
        # a Task Force is evidence for the activities it carries (1A.7).
        register(
            EvidenceType(
                key="directory.participation",
                label="Participation step",
                model=Participation,
                url=lambda step: reverse("directory:organisation", args=[step.organisation_id]),
                title=lambda step: f"{step.organisation}: {step.get_status_display()} ({step.when})",
                suggests=lambda step: "in_progress" if step.status in {"invited", "member", "observer"} else None,
                visible=lambda user: Participation.objects.select_related("organisation").filter(
                    organisation__in=policy.visible_to(user, Organisation)
                ),
            )
        )
        register(
            EvidenceType(
                key="directory.body",
                label="Body",
                model=Body,
                url=lambda body: reverse("directory:body", args=[body.slug]),
            )
        )
        from coalition.directory import workplace

        workplace.register()  # the coalition-wide queue: members with no focal point, POC vacancies

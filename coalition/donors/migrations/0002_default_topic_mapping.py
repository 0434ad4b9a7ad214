from typing import Any

from django.db import migrations

# The default this migration seeded when it was written (a copy, so that it keeps seeding the same rows whatever
# `models.DEFAULT_MAPPING` becomes); a later migration brings the rows nobody edited up to the current default.
DEFAULT_MAPPING_2026_11: tuple[tuple[str, str, str, str], ...] = (
    # (kind, code, topic, why)
    ("sector", "15160", "freedoms", "Human rights"),
    ("sector", "15153", "freedoms", "Media and free flow of information"),
    ("sector", "15150", "freedoms", "Democratic participation and civil society"),
    ("sector", "15151", "freedoms", "Elections"),
    ("sector", "22030", "freedoms", "Radio/television/print media"),
    ("sector", "15130", "surveillance", "Legal and judicial development (oversight, rule of law)"),
    ("sector", "15210", "surveillance", "Security system management and reform"),
    ("sector", "15113", "surveillance", "Anti-corruption organisations and institutions"),
    ("sector", "22040", "inclusion", "Information and communication technology"),
    ("sector", "22010", "inclusion", "Communications policy and administrative management"),
    ("sector", "22020", "inclusion", "Telecommunications"),
    ("sector", "15170", "inclusion", "Women's rights organisations and movements"),
    ("sector", "15180", "inclusion", "Ending violence against women and girls (including online)"),
    ("sector", "43082", "ai", "Research/scientific institutions (AI governance research)"),
    ("marker", "1", "inclusion", "Gender equality"),
    ("marker", "11", "inclusion", "Disability"),
    ("marker", "3", "freedoms", "Participatory development / good governance"),
)


def seed(apps: Any, schema_editor: Any) -> None:
    TopicMapping = apps.get_model("donors", "TopicMapping")
    if not TopicMapping.objects.exists():
        TopicMapping.objects.bulk_create(
            [
                TopicMapping(kind=kind, code=code, topic=topic, note=why)
                for kind, code, topic, why in DEFAULT_MAPPING_2026_11
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("donors", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

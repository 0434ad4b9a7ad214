from typing import Any

from django.db import migrations

from coalition.donors.models import DEFAULT_MAPPING


def seed(apps: Any, schema_editor: Any) -> None:
    TopicMapping = apps.get_model("donors", "TopicMapping")
    if not TopicMapping.objects.exists():
        TopicMapping.objects.bulk_create(
            [TopicMapping(kind=kind, code=code, topic=topic, note=why) for kind, code, topic, why in DEFAULT_MAPPING]
        )


class Migration(migrations.Migration):
    dependencies = [("donors", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

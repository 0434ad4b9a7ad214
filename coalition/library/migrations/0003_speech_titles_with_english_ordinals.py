"""Speeches imported before issue 15 item 21 were titled "73th session"; retitle them as the import now does."""

import re
from typing import Any

from django.db import migrations

WRONG = re.compile(r"General Debate, (\d+)th session of the General Assembly")


def ordinal(number: int) -> str:
    # A copy of `coalition.library.ungdc.ordinal`: a migration keeps working whatever the code becomes.
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def retitle(apps: Any, schema_editor: Any) -> None:
    Source = apps.get_model("library", "Source")
    for source in Source.objects.filter(kind="speech", title__contains="th session of the General Assembly"):
        title = WRONG.sub(
            lambda match: f"General Debate, {ordinal(int(match.group(1)))} session of the General Assembly",
            source.title,
        )
        if title != source.title:
            Source.objects.filter(pk=source.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [("library", "0002_paragraphembedding")]

    operations = [migrations.RunPython(retitle, migrations.RunPython.noop)]

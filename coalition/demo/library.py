"""The demo's library: a resolution and a national statement that reuse the coalition's language."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from coalition.accounts.models import User
from coalition.core.policy import Classification
from coalition.demo.logins import DEMO_DOMAIN
from coalition.directory.models import (
    Organisation,
)
from coalition.library import indexing
from coalition.library import services as library
from coalition.library.models import Source

DEMO_RESOLUTION = """The Human Rights Council (demo text, fictitious),

Reaffirming that the same rights that people have offline must also be protected online, in particular freedom of
expression, which is applicable regardless of frontiers and through any media of one's choice,

Deeply concerned that internet shutdowns and network disruptions cut people off from information, from emergency
services and from one another, and harm economies,

1. Calls upon all States to refrain from shutting down the internet and to ensure that any restriction is prescribed
by law, necessary and proportionate, in line with international human rights law;

2. Encourages States to work with civil society, the private sector and the technical community to document
disruptions and to support those affected;

3. Decides to continue its consideration of this question at a future session."""

DEMO_NATIONAL_STATEMENT = """Canada thanks the President for convening this debate (demo text, fictitious).

We reaffirm that the same rights that people have offline must also be protected online, in particular freedom of
expression, which applies regardless of frontiers and through any media of one's choice.

We call upon all States to refrain from shutting down the internet, and to ensure that any restriction of access is
prescribed by law, necessary and proportionate, in line with international human rights law.

Canada will report next year on the support it gives to those who document disruptions."""


def load(governments: dict[str, Organisation]) -> None:
    """Two external texts of our own writing (a resolution and a national statement) whose language the published
    demo statement takes up, so search, lineage and the drafting assistant have something to show. The demo
    statements are in the library already (their texts follow the statements)."""
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    today_ = timezone.localdate()
    resolution = library.import_text(
        by=support,
        text=DEMO_RESOLUTION,
        kind=Source.Kind.RESOLUTION,
        title="The promotion and protection of human rights on the internet (demo)",
        forum="HRC",
        symbol="A/HRC/RES/DEMO/1",
        date=today_.replace(year=today_.year - 2, month=7, day=5),
        classification=Classification.PUBLIC,
        endorsed_by=[governments[code] for code in ("EE", "NL", "SE", "US", "GH")],
        detect=False,
    )
    national = library.import_text(
        by=support,
        text=DEMO_NATIONAL_STATEMENT,
        kind=Source.Kind.NATIONAL_STATEMENT,
        title="Statement by Canada in the General Debate (demo)",
        forum="UNGA",
        date=today_.replace(year=today_.year - 1, month=9, day=24),
        author="Canada",
        author_country=governments["CA"].country,
        endorsed_by=[governments["CA"]],
        classification=Classification.PUBLIC,
        detect=False,
    )
    transaction.on_commit(lambda: _index_and_detect([resolution.pk, national.pk], support))


def _index_and_detect(source_ids: list[int], by: User) -> None:
    """Once the demo is committed: index the whole library and record the reuse between the demo texts."""
    indexing.rebuild()
    for source in Source.objects.filter(pk__in=source_ids).order_by("pk"):
        library.detect_reuse(source, by=by)

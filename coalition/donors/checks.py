"""What the writes of donor coordination check alike: that an organisation is a member government, that a sharing
holds, and where the IATI reference files (codelists, schemas) are."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings

from coalition.core.errors import InvalidInput
from coalition.core.policy import Tier
from coalition.directory.models import Organisation
from coalition.directory.models import Participation as DirectoryParticipation
from coalition.directory.queries import status_of, today
from coalition.donors.models import DonorGroup


def require_government(organisation: Organisation, field: str = "organisation") -> None:
    """Donor coordination is among the coalition's member governments (not observers, candidates or former members)."""
    if organisation.kind != Organisation.Kind.GOVERNMENT:
        raise InvalidInput(f"{organisation} is not a government: only governments take part as donors.", field=field)
    if status_of(organisation, today()) != DirectoryParticipation.Status.MEMBER:
        raise InvalidInput(f"{organisation} is not a member of the coalition today.", field=field)


def check_tier(
    reporter: Organisation, tier: str, group: DonorGroup | None, bilateral_with: Sequence[Organisation]
) -> None:
    if tier not in Tier.values:
        raise InvalidInput(f"Unknown sharing tier {tier!r}.", field="tier")
    if tier == Tier.GROUP:
        if group is None:
            raise InvalidInput("Name the donor group the record is shared with.", field="group")
        if not group.members.filter(pk=reporter.pk).exists():
            raise InvalidInput(f"{reporter} is not a member of the group {group}.", field="group")
    elif group is not None:
        raise InvalidInput("A group is named only when the record is shared with a group.", field="group")
    if tier == Tier.BILATERAL:
        if not bilateral_with:
            raise InvalidInput("Name the member(s) a bilateral record is shared with.", field="bilateral_with")
        for member in bilateral_with:
            if member.pk == reporter.pk:
                raise InvalidInput("A member does not share a record bilaterally with itself.", field="bilateral_with")
            require_government(member, "bilateral_with")
    elif bilateral_with:
        raise InvalidInput("Members are named only when the record is shared bilaterally.", field="bilateral_with")


def reference_folder(setting: str) -> Path | None:
    path = Path(getattr(settings, setting))
    return path if path.is_dir() else None

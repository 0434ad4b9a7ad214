from django.contrib import admin

from coalition.core.admin_site import CorrectOnlyAdminMixin, LedgeredModelAdmin, ReadOnlyAdminMixin
from coalition.meetings.models import Meeting, MeetingSeries, QuarterlyCall


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(CorrectOnlyAdminMixin, LedgeredModelAdmin):
    """Titles, locations and templates are corrected here; dates, rotation and meetings come from the series page."""

    list_display = ["title", "body", "participation", "frequency", "host_time_zone", "classification"]
    list_filter = ["participation", "classification"]
    readonly_fields = ["rotation", "organiser", "created_at"]


@admin.register(Meeting)
class MeetingAdmin(CorrectOnlyAdminMixin, LedgeredModelAdmin):
    """Times, cancellation and minutes go through the meeting pages, so that invitations and the minutes' approval
    follow; the admin only corrects titles and locations."""

    list_display = ["title", "starts_at", "host_time_zone", "state", "minutes_state", "classification"]
    list_filter = ["state", "minutes_state", "classification"]
    readonly_fields = [
        "series",
        "starts_at",
        "duration_minutes",
        "state",
        "uid",
        "sequence",
        "minutes_state",
        "minutes_circulated_at",
        "organiser",
        "created_at",
        "updated_at",
    ]


@admin.register(QuarterlyCall)
class QuarterlyCallAdmin(ReadOnlyAdminMixin, LedgeredModelAdmin):
    """Read-only: a member's quarterly call is recorded by its people or the Support Unit on the meeting pages
    (meetings.record_call), with the ledger entry naming who did."""

    list_display = ["organisation", "held_on", "classification"]
    list_filter = ["classification"]
    readonly_fields = ["recorded_by", "recorded_at"]

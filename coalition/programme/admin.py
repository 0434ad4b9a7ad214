from django.contrib import admin

from coalition.core.admin_site import LedgeredModelAdmin, ReadOnlyAdminMixin
from coalition.programme.models import (
    Activity,
    Goal,
    Milestone,
    Objective,
    PolicyTopic,
    Programme,
    ProgressUpdate,
    ThematicGoal,
)


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


class TopicInline(admin.TabularInline):
    model = PolicyTopic
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(LedgeredModelAdmin):
    list_display = ["title", "year", "chair", "classification"]
    inlines = [TopicInline, GoalInline]


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(Goal)
class GoalAdmin(LedgeredModelAdmin):
    list_display = ["__str__", "programme", "weight"]
    inlines = [ObjectiveInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Activity)
class ActivityAdmin(LedgeredModelAdmin):
    """Leads, contributors, targets, weights and milestones are set here; status changes go through the
    activity page so they are proposed, confirmed and recorded."""

    list_display = ["code", "title", "status", "lead_body", "lead_organisation", "target_on", "weight"]
    list_filter = ["objective__goal__programme", "status"]
    search_fields = ["code", "title"]
    readonly_fields = ["status", "status_reason", "carried_from"]
    filter_horizontal = ["contributing_organisations", "contributing_bodies", "topics", "thematic_goals"]
    inlines = [MilestoneInline]


@admin.register(ThematicGoal)
class ThematicGoalAdmin(LedgeredModelAdmin):
    list_display = ["title", "from_year", "to_year"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdminMixin, LedgeredModelAdmin):
    """Read-only: an update speaks for its author's government (programme.post_update); written here it could be
    put in a member's name."""

    list_display = ["activity", "reported_on", "author", "classification"]
    list_filter = ["classification"]

"""The toolkit (1B.1): its actions with their past uses; the Support Unit adds and edits them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit, then_redirect
from coalition.response import queries, services
from coalition.response.forms import ToolForm
from coalition.response.models import PlaybookStep, Pledge, Tool

PAST_USES_SHOWN = 50


def _past_uses(user: Any, tools: list[Tool]) -> tuple[dict[int, list[PlaybookStep]], dict[int, list[Pledge]]]:
    """Each tool's steps done and pledges, in the situations the viewer may read."""
    seen = queries.situations(user).values("pk")
    steps: dict[int, list[PlaybookStep]] = {t.pk: [] for t in tools}
    for s in (
        PlaybookStep.objects.filter(tool__in=tools, status=PlaybookStep.Status.DONE, situation__in=seen)
        .select_related("situation")
        .order_by("-situation__opened_at", "pk")
    ):
        steps[s.tool_id].append(s)
    pledges: dict[int, list[Pledge]] = {t.pk: [] for t in tools}
    for p in (
        Pledge.objects.filter(tool__in=tools, situation__in=seen)
        .exclude(status=Pledge.Status.WITHDRAWN)
        .select_related("situation", "organisation")
        .order_by("-pledged_at", "pk")
    ):
        pledges[p.tool_id].append(p)
    return steps, pledges


def _tool_form(request: HttpRequest, initial: dict[str, Any]) -> ToolForm:
    """The posted form (after the policy's check: only the Support Unit edits the toolkit), else one to fill in."""
    if request.method == "POST":
        policy.require(request.user, "response.toolkit")
        return ToolForm(request.POST)
    return ToolForm(initial=initial)


@personal
@access("response.view")
def toolkit(request: HttpRequest) -> HttpResponse:
    """The toolkit (1B.1); the Support Unit adds an action here (POST)."""
    can_edit = policy.can(request.user, "response.toolkit")
    form = _tool_form(request, {"in_playbook": True, "position": 0})

    def page(status: int) -> HttpResponse:
        tools = list(policy.visible_to(request.user, Tool).order_by("position", "name"))
        steps, pledges = _past_uses(request.user, tools)
        entries = [(t, len(steps[t.pk]), len(pledges[t.pk])) for t in tools]
        shown = form if can_edit else None
        return render(request, "response/toolkit.html", {"entries": entries, "form": shown}, status=status)

    return submit(
        request,
        form,
        lambda: services.save_tool(by=request.user, **form.cleaned_data),
        done=lambda made: then_redirect(
            request, _("“%(name)s” added to the toolkit.") % {"name": made.name}, "response:tool", pk=made.pk
        )(made),
        page=page,
        catching=InvalidInput,
    )


def _tool(request: HttpRequest, pk: int) -> Tool:
    return get_object_or_404(policy.visible_to(request.user, Tool), pk=pk)


@personal
@access("response.view")
def tool(request: HttpRequest, pk: int) -> HttpResponse:
    """An action of the toolkit and its past uses; the Support Unit edits it here (POST)."""
    found = _tool(request, pk)
    form = _tool_form(request, ToolForm.of(found))
    can_edit = request.method == "POST" or policy.can(request.user, "response.toolkit")

    def page(status: int) -> HttpResponse:
        shown = found if status == 200 else _tool(request, pk)  # as it stands, not as typed
        steps, pledges = _past_uses(request.user, [shown])
        context = {
            "tool": shown,
            "steps": steps[shown.pk][:PAST_USES_SHOWN],
            "pledges": pledges[shown.pk][:PAST_USES_SHOWN],
            "form": form if can_edit else None,
        }
        return render(request, "response/tool.html", context, status=status)

    return submit(
        request,
        form,
        lambda: services.save_tool(by=request.user, tool=found, **form.cleaned_data),
        done=lambda saved: then_redirect(
            request, _("“%(name)s” saved.") % {"name": saved.name}, "response:tool", pk=found.pk
        )(saved),
        page=page,
        catching=InvalidInput,
    )

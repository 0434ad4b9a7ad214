"""Members' quarterly update calls (PoA 1B.2): who recorded a call in a quarter, and recording one.

What is shown of a call follows one decision: *that* a member held its call in a quarter, and on which day, is not
sensitive — it is what the compliance table exists to show, to every member government. What was said (posts,
topics, proposed actions, asks) is the call's content, and reaches only those who may read the call
(`policy.visible_to`). A call the viewer may not read is therefore counted and dated as "recorded", and nothing more.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.forms import submit
from coalition.core.policy import Role
from coalition.directory.models import Office, Organisation
from coalition.directory.queries import participants_on, today
from coalition.meetings import queries, services
from coalition.meetings.call_forms import CallForm, MemberForm, QuarterForm
from coalition.meetings.models import QuarterlyCall, quarter_of

POST_KINDS = (Office.Kind.EMBASSY, Office.Kind.MISSION)


def _cell(value: str) -> str:
    """A spreadsheet runs a cell that starts like a formula: quote such text so that it stays text."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def _csv(table: queries.Compliance) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quarterly-calls-{table.year}-Q{table.quarter}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Member"), _("Call recorded"), _("Held on"), _("Posts involved")])
    for row in table.rows:
        posts = sorted({post.name for fact in row.calls if fact.call for post in fact.call.posts.all()})
        writer.writerow(
            _cell(str(value))
            for value in [
                row.member.name,
                _("yes") if row.recorded else _("no"),
                "; ".join(fact.held_on.isoformat() for fact in row.calls),
                "; ".join(posts),
            ]
        )
    return response


def _asks_for_a_quarter(request: HttpRequest) -> bool:
    return "year" in request.GET or "quarter" in request.GET


@access("meetings.view_compliance")
def calls(request: HttpRequest) -> HttpResponse:
    year, quarter = quarter_of(today())
    form = QuarterForm(
        request.GET if _asks_for_a_quarter(request) else None, initial={"year": year, "quarter": quarter}
    )
    if form.is_bound:
        if not form.is_valid():
            return render(request, "meetings/calls/index.html", {"form": form, "table": None}, status=400)
        year = form.cleaned_data["year"] or year
        quarter = form.cleaned_data["quarter"] or quarter
    table = queries.compliance(request.user, year=year, quarter=quarter)
    if request.GET.get("format") == "csv":
        return _csv(table)
    context = {
        "form": form,
        "table": table,
        "can_record": policy.can(request.user, "meetings.record_call"),
        "previous": table.previous,
        "next": table.next,
    }
    return render(request, "meetings/calls/index.html", context)


# --- Recording a call ----------------------------------------------------------------------------------------------


def _members_for(request: HttpRequest) -> list[Organisation]:
    """The member governments the person may record a call for: those they hold a position for (the Support Unit:
    every member), as members today — an observer's official records none."""
    actor = policy.actor_for(request.user)
    members = participants_on(request.user, on=today()).filter(kind=Organisation.Kind.GOVERNMENT)
    if not actor.has(Role.SUPPORT_UNIT):
        members = members.filter(pk__in=actor.acts_for)
    return list(members)


def _chosen(value: Any, members: list[Organisation]) -> Organisation | None:
    return next((member for member in members if str(member.pk) == str(value)), None)


def _posts(request: HttpRequest, members: list[Organisation]) -> QuerySet[Office]:
    return (
        policy.visible_to(request.user, Office)
        .filter(organisation__in=members, kind__in=POST_KINDS)
        .order_by("organisation__name", "city", "name")
    )


def _record_page(
    request: HttpRequest,
    *,
    members: list[Organisation],
    member: Organisation | None,
    member_form: MemberForm | None,
    form: CallForm | None,
    status: int = 200,
) -> HttpResponse:
    context = {"members": members, "member": member, "member_form": member_form, "form": form}
    return render(request, "meetings/calls/record.html", context, status=status)


def _record(form: CallForm, member: Organisation | None, by: Any) -> QuarterlyCall:
    if member is None:  # the form's member is one of `members`, so this is only a forged submission
        raise InvalidInput(_("Choose the member whose call it was."), field="organisation")
    data = form.cleaned_data
    return services.record_quarterly_call(
        by=by,
        organisation=member,
        held_on=data["held_on"],
        topics=data["topics"],
        posts=data["posts"],
        proposed_actions=data["proposed_actions"],
        asks=data["asks"],
        classification=data["classification"],
    )


@access("meetings.view_compliance")
def record_call(request: HttpRequest) -> HttpResponse:
    members = _members_for(request)
    if not members:
        raise AccessDenied(_("Only a member's focal points and officials, and the Support Unit, record its calls."))
    posting = request.method == "POST"
    asked = request.POST.get("organisation") if posting else request.GET.get("organisation")
    member = _chosen(asked, members) if asked else (members[0] if len(members) == 1 else None)
    member_form = None
    if len(members) > 1:
        member_form = MemberForm(
            request.GET if request.method == "GET" and asked else None,
            members=members,
            initial={"organisation": member.pk if member else None},
        )
        if member_form.is_bound and not member_form.is_valid():
            return _record_page(request, members=members, member=None, member_form=member_form, form=None, status=400)
    if member is None and not posting:
        return _record_page(request, members=members, member=None, member_form=member_form, form=None)
    posts = _posts(request, members)
    shown = [post for post in posts if member is not None and post.organisation_id == member.pk]
    form = CallForm(
        request.POST if posting else None,
        members=members,
        posts=posts,
        shown_posts=shown,
        initial={"organisation": member.pk if member else None, "held_on": today()},
    )

    def done(call: QuarterlyCall) -> HttpResponse:
        messages.success(request, _("The call of %(member)s is recorded.") % {"member": call.organisation.name})
        year, quarter = call.quarter
        return redirect(f"{reverse('meetings:calls')}?year={year}&quarter={quarter}#call-{call.pk}")

    return submit(
        request,
        form,
        lambda: _record(form, member, request.user),
        done=done,
        page=lambda status: _record_page(
            request, members=members, member=member, member_form=member_form, form=form, status=status
        ),
        catching=InvalidInput,  # a refusal of access stays a 403
    )

"""The reference data the Support Unit keeps (PoA 2A.4): the mapping of sectors and markers to the programme's
topics, the exchange rates, and the donor groups. Everyone aligning reads them; the Support Unit changes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit, then_redirect
from coalition.directory.models import Organisation
from coalition.donors import queries, services
from coalition.donors.forms import ConfirmForm, GroupForm, MappingForm, RateForm
from coalition.donors.models import DonorGroup, ExchangeRate, Topic, TopicMapping
from coalition.donors.views.common import failed, governments

RATES_PER_PAGE = 100


def _posted(request: HttpRequest) -> Any:
    """The submission, or None on a GET (an unbound form)."""
    if request.method != "POST":
        return None
    # Asked before the form is read: a refusal is a 403 page, not a form error.
    policy.require(request.user, "donors.manage")
    return request.POST


# --- Topic mapping ------------------------------------------------------------------------------------------------


def _taxonomy_page(request: HttpRequest, *, form: MappingForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    can_manage = queries.allowed(user).manage
    mappings = list(policy.visible_to(user, TopicMapping).order_by("topic", "kind", "code"))
    by_topic = [(label, [m for m in mappings if m.topic == code]) for code, label in Topic.choices]
    response = render(
        request,
        "donors/taxonomy.html",
        {
            "by_topic": by_topic,
            "form": (form if form is not None else MappingForm()) if can_manage else None,
            "can_manage": can_manage,
        },
        status=status,
    )
    return failed(response) if status != 200 else response


def _mapping_saved(request: HttpRequest) -> Callable[[TopicMapping], HttpResponse]:
    def done(mapping: TopicMapping) -> HttpResponse:
        messages.success(request, _("Mapping saved: %(mapping)s. Every activity is re-mapped.") % {"mapping": mapping})
        return redirect("donors:taxonomy")

    return done


@personal
@access("donors.align")
def taxonomy(request: HttpRequest) -> HttpResponse:
    """The mapping of sectors and policy markers to the programme's topics; the Support Unit adds to it (POST)."""
    form = MappingForm(_posted(request))
    return submit(
        request,
        form,
        lambda: services.set_mapping(by=request.user, **form.cleaned_data),
        done=_mapping_saved(request),
        page=lambda status: _taxonomy_page(request, form=form, status=status),
        catching=InvalidInput,
    )


@require_POST
@access("donors.manage")
def remove_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(policy.visible_to(request.user, TopicMapping), pk=pk)
    name = str(found)
    return submit(
        request,
        ConfirmForm(request.POST),
        lambda: services.remove_mapping(found, by=request.user),
        done=then_redirect(
            request,
            _("Mapping removed: %(mapping)s. Every activity is re-mapped.") % {"mapping": name},
            "donors:taxonomy",
        ),
        page=lambda status: _taxonomy_page(request, status=status),
        catching=InvalidInput,
    )


# --- Exchange rates -----------------------------------------------------------------------------------------------


def _rates_page(request: HttpRequest, form: RateForm, status: int) -> HttpResponse:
    user = request.user
    rates = policy.visible_to(user, ExchangeRate).order_by("currency", "-on")
    page = Paginator(rates, RATES_PER_PAGE).get_page(request.GET.get("page"))
    shown = form if queries.allowed(user).manage else None
    return render(
        request,
        "donors/rates.html",
        {"page": page, "form": shown, "currency": settings.DONORS_CURRENCY},
        status=status,
    )


def _rate_recorded(request: HttpRequest) -> Callable[[ExchangeRate], HttpResponse]:
    def done(rate: ExchangeRate) -> HttpResponse:
        messages.success(request, _("Rate recorded: %(rate)s.") % {"rate": rate})
        return redirect("donors:rates")

    return done


@personal
@access("donors.align")
def rates(request: HttpRequest) -> HttpResponse:
    """Exchange rates the amounts are converted at; the Support Unit adds one (POST), re-converting its currency."""
    form = RateForm(_posted(request))
    return submit(
        request,
        form,
        lambda: services.add_rate(by=request.user, **form.cleaned_data),
        done=_rate_recorded(request),
        page=lambda status: _rates_page(request, form, status),
        catching=InvalidInput,
    )


# --- Donor groups -------------------------------------------------------------------------------------------------


def _group_form(user: Any, data: Any = None, **kwargs: Any) -> GroupForm:
    return GroupForm(data, governments=governments(user), **kwargs)


def _save_group(request: HttpRequest, form: GroupForm, group: DonorGroup | None) -> DonorGroup:
    return services.save_group(
        by=request.user,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        members=list(form.cleaned_data["members"]),
        group=group,
    )


def _group_saved(request: HttpRequest) -> Callable[[DonorGroup], HttpResponse]:
    def done(group: DonorGroup) -> HttpResponse:
        messages.success(request, _("Donor group “%(name)s” saved.") % {"name": group.name})
        return redirect("donors:groups")

    return done


def _groups_page(request: HttpRequest, form: GroupForm, status: int) -> HttpResponse:
    user = request.user
    found = policy.visible_to(user, DonorGroup).prefetch_related(
        Prefetch("members", queryset=Organisation.objects.order_by("name"))
    )
    shown = form if queries.allowed(user).manage else None
    return render(request, "donors/groups.html", {"groups": list(found.order_by("name")), "form": shown}, status=status)


@personal
@access("donors.align")
def groups(request: HttpRequest) -> HttpResponse:
    """Donor groups (a record shared "with a group" reaches its members); the Support Unit creates one (POST)."""
    form = _group_form(request.user, _posted(request))
    return submit(
        request,
        form,
        lambda: _save_group(request, form, None),
        done=_group_saved(request),
        page=lambda status: _groups_page(request, form, status),
        catching=InvalidInput,
    )


@personal
@access("donors.manage")
def group(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = get_object_or_404(policy.visible_to(user, DonorGroup), pk=pk)
    if request.method == "POST":
        form = _group_form(user, request.POST)
    else:
        initial = {"name": found.name, "description": found.description, "members": list(found.members.all())}
        form = _group_form(user, initial=initial)
    return submit(
        request,
        form,
        lambda: _save_group(request, form, found),
        done=_group_saved(request),
        page=lambda status: render(request, "donors/group.html", {"group": found, "form": form}, status=status),
        catching=InvalidInput,
    )

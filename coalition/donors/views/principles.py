"""The donor principles (PoA 2A.1): each principle of the latest version of the principles document, with the
members' self-assessments against it and, for the viewer's own members, the form to rate it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit
from coalition.directory.models import Organisation
from coalition.documents.models import Document, Version, paragraphs_of, text_hash
from coalition.documents.services import render as render_markdown
from coalition.donors import queries, services
from coalition.donors.forms import AssessmentForm
from coalition.donors.models import SelfAssessment
from coalition.donors.views.common import failed, own_members

Ratings = tuple[Organisation, list[SelfAssessment | None]]  # a member and its rating of each principle


@dataclass
class Principle:
    paragraph: int  # its paragraph number in the document's latest version
    number: int  # its number among the principles (headings skipped)
    html: SafeString
    form: AssessmentForm | None = None


@dataclass
class PrinciplesShown:
    document: Any
    version: Any
    principles: list[Principle]
    ratings: list[Ratings]


@dataclass(frozen=True)
class Refused:
    """A refused self-assessment, shown where it was typed."""

    form: AssessmentForm
    at: tuple[int, int]  # the document and the paragraph


def _principles(document: Any, version: Any) -> list[tuple[int, str]]:
    texts = paragraphs_of(version.text) if version else []
    return [(n, text) for n, text in enumerate(texts, start=1) if not text.startswith("#")]


def _assessing(user: Any) -> list[Organisation]:
    """The members the viewer assesses for."""
    return [m for m in own_members(user) if policy.can(user, "donors.assess", m)]


def _documents(user: Any) -> Any:
    return (
        policy.visible_to(user, Document)
        .filter(kind=Document.Kind.PRINCIPLES)
        .prefetch_related(Prefetch("versions", queryset=Version.objects.order_by("-number"), to_attr="latest"))
        .order_by("-created_at")
    )


def _ratings(user: Any, document: Any, texts: list[tuple[int, str]]) -> dict[int, Ratings]:
    """Each member's ratings of the principles of the latest version, by member."""
    hashes = {text_hash(text): index for index, (_n, text) in enumerate(texts)}
    by_member: dict[int, Ratings] = {}
    for item in queries.assessments(user, document):
        index = hashes.get(item.paragraph_hash)
        if index is None:
            continue  # a principle that is no longer in the latest version
        row = by_member.setdefault(item.organisation_id, (item.organisation, [None] * len(texts)))
        row[1][index] = item
    return by_member


def _form(
    document: Any, paragraph: int, earlier: SelfAssessment | None, members: list[Organisation], refused: Refused | None
) -> AssessmentForm | None:
    """The form beside a principle: the refused one where it was typed, else one that starts from the member's last
    answer (for a viewer who assesses for a member)."""
    if refused is not None and refused.at == (document.pk, paragraph):
        return refused.form
    if not members:
        return None
    return AssessmentForm(
        initial={"rating": earlier.rating, "evidence": earlier.evidence} if earlier else None,
        members=members,
        key=f"assess{document.pk}-{paragraph}",
    )


def _shown(user: Any, document: Any, members: list[Organisation], refused: Refused | None) -> PrinciplesShown:
    version = document.latest[0] if document.latest else None
    texts = _principles(document, version)
    by_member = _ratings(user, document, texts)
    own = by_member.get(members[0].pk) if members else None  # the form starts from the member's last answer
    principles = [
        Principle(
            paragraph,
            index + 1,
            render_markdown(text),
            _form(document, paragraph, own[1][index] if own else None, members, refused),
        )
        for index, (paragraph, text) in enumerate(texts)
    ]
    ratings = sorted(by_member.values(), key=lambda row: row[0].name)
    return PrinciplesShown(document, version, principles, ratings)


def _principles_page(request: HttpRequest, *, refused: Refused | None = None) -> HttpResponse:
    user = request.user
    members = _assessing(user)
    shown = [_shown(user, document, members, refused) for document in _documents(user)]
    placed = refused is not None and any(
        principle.form is refused.form for item in shown for principle in item.principles
    )
    return render(
        request,
        "donors/principles.html",
        {"shown": shown, "members": members, "problem": refused.form if refused is not None and not placed else None},
        status=400 if refused is not None else 200,
    )


@personal
@access("donors.align")
def principles(request: HttpRequest) -> HttpResponse:
    return _principles_page(request)


def _assessed(request: HttpRequest, document: Any, paragraph: int) -> Callable[[Any], HttpResponse]:
    def done(_result: Any) -> HttpResponse:
        messages.success(request, _("Self-assessment saved."))
        return redirect(reverse("donors:principles") + f"#principle-{document.pk}-{paragraph}")

    return done


@require_POST
@access("donors.assess")
def assess(request: HttpRequest, pk: int, paragraph: int) -> HttpResponse:
    user = request.user
    document = get_object_or_404(policy.visible_to(user, Document).filter(kind=Document.Kind.PRINCIPLES), pk=pk)
    members = _assessing(user)
    form = AssessmentForm(request.POST, members=members, key=f"assess{document.pk}-{paragraph}")
    by_pk = {m.pk: m for m in members}
    return submit(
        request,
        form,
        lambda: services.assess(
            organisation=by_pk[form.cleaned_data["organisation"]],
            document=document,
            paragraph=paragraph,
            rating=form.cleaned_data["rating"],
            evidence=form.cleaned_data["evidence"],
            by=user,
        ),
        done=_assessed(request, document, paragraph),
        page=lambda status: failed(_principles_page(request, refused=Refused(form, (document.pk, paragraph)))),
        catching=InvalidInput,
    )

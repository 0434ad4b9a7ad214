"""Every view that takes a POST acts through `core.forms.submit` (issue 18): one way to validate the form, call the
service, put a refusal on the form and redirect or re-render. The walker reads each of our views' code, with the
module functions it calls, from the URL resolver."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator
from types import FunctionType
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from coalition.core.access import routes
from coalition.core.forms import submit

#: What reads a submission: a view that does any of these handles a POST.
READS_SUBMISSION = {"POST", "FILES", "method"}


def _functions(view: Any) -> Iterator[FunctionType]:
    """The view's own function (decorators unwrapped), then every function of its app that it calls by name, once
    each: a view may hand the submission to a helper of its own (the platform's shared helpers, such as `submit`
    itself, read `request.method` and are not followed)."""
    seen: set[Any] = set()
    todo = [inspect.unwrap(view)]
    app = ".".join(todo[0].__module__.split(".")[:2]) + "."
    while todo:
        function = todo.pop()
        if function in seen or not isinstance(function, FunctionType):
            continue
        if not (function.__module__ or "").startswith(app):
            continue
        seen.add(function)
        yield function
        for node in _body_nodes(_tree(function)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                todo.append(function.__globals__.get(node.func.id))


def _body_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body: its decorators (`@access`, which reads the request to offer a return link)
    are the platform's, not the view's own handling of a submission."""
    for top in ast.iter_child_nodes(tree):
        for statement in getattr(top, "body", [top]):
            yield from ast.walk(statement)


def _tree(function: FunctionType) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(function)))


def _takes_post(function: FunctionType, tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in READS_SUBMISSION
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        ):
            return True
        if isinstance(node, ast.Name) and node.id in {"require_POST", "require_http_methods"}:
            return True
    return False


def _calls_submit(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "submit")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "submit")
        )
        for node in ast.walk(tree)
    )


def classify(view: Any) -> tuple[bool, bool]:
    """(takes a POST, acts through `submit`) for one view callback."""
    takes = acts = False
    for function in _functions(view):
        tree = _tree(function)
        takes = takes or _takes_post(function, tree)
        acts = acts or _calls_submit(tree)
    return takes, acts


def _ours() -> list[tuple[str, Any]]:
    found = []
    for route, callback in routes():
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback
        if (getattr(inspect.unwrap(callback), "__module__", "") or "").startswith("coalition.") and not inspect.isclass(
            view
        ):
            found.append((route, callback))
    return found


def test_every_post_view_acts_through_submit():
    bypassing = [route for route, callback in _ours() if classify(callback) == (True, False)]
    assert bypassing == []


def test_the_walker_finds_the_post_views():
    """Guards against a walker that finds nothing and so passes: the platform has dozens of POST views."""
    posting = [route for route, callback in _ours() if classify(callback)[0]]
    assert len(posting) >= 40
    assert any("meetings" in route and "cancel" in route for route in posting)


def test_a_post_view_of_our_own_views_is_only_a_class_of_api_views_that_read():
    """Class-based views of ours are the read-only API: none of them accepts a write."""
    for route, callback in routes():
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if cls is None or not (cls.__module__ or "").startswith("coalition."):
            continue
        assert not any(hasattr(cls, method) for method in ("post", "put", "patch", "delete", "create")), route


# A view that reads the submission itself is caught, however it is decorated; one that hands it to submit passes.


@require_POST
def _bypasses(request: HttpRequest) -> HttpResponse:  # pragma: no cover - read, never run
    data = request.POST.get("x")
    return HttpResponse(data)


def _delegates(request: HttpRequest) -> HttpResponse:  # pragma: no cover - read, never run
    return _reads(request)


def _reads(request: HttpRequest) -> HttpResponse:  # pragma: no cover - read, never run
    return HttpResponse(request.FILES)


def _through_submit(request: HttpRequest) -> HttpResponse:  # pragma: no cover - read, never run
    return submit(request, None, lambda: None, done=HttpResponse, page=HttpResponse)  # type: ignore[arg-type]


def test_the_walker_catches_a_view_that_reads_the_submission_itself():
    assert classify(_bypasses) == (True, False)
    assert classify(_delegates) == (True, False)
    assert classify(_through_submit) == (True, True)

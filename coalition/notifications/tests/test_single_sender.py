"""The notification service's email module is the only place in the platform that sends mail."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # coalition/
THE_SENDER = ROOT / "notifications" / "email.py"
SENDING_NAMES = {"send_mail", "send_mass_mail", "send_messages", "get_connection", "mail_admins", "mail_managers"}
MESSAGE_CLASSES = {"EmailMessage", "EmailMultiAlternatives"}


def _sends(tree: ast.AST) -> list[str]:
    """What in a module sends mail: a sending function named, or an email message class used with a `.send(` call."""
    found: list[str] = []
    uses_message = False
    for node in ast.walk(tree):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if isinstance(node, ast.alias):
            name = node.name
        if name in SENDING_NAMES:
            found.append(name)
        if name in MESSAGE_CLASSES:
            uses_message = True
    calls_send = any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "send"
        for node in ast.walk(tree)
    )
    if uses_message and calls_send:
        found.append("EmailMessage.send()")
    return sorted(set(found))


def senders() -> dict[str, list[str]]:
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.relative_to(ROOT).parts or path == THE_SENDER:
            continue
        found = _sends(ast.parse(path.read_text(), filename=str(path)))
        if found:
            modules[str(path.relative_to(ROOT.parent))] = found
    return modules


def test_the_scan_finds_a_sender():
    assert _sends(ast.parse("from django.core.mail import send_mail\nsend_mail('s', 'b', None, ['a@b'])"))
    assert _sends(ast.parse("from django.core.mail import EmailMessage\nEmailMessage('s', 'b').send()"))
    assert not _sends(ast.parse("signal.send(sender=None)"))
    assert _sends(ast.parse(THE_SENDER.read_text())) == ["EmailMessage.send()"]


def test_only_the_notification_service_sends_mail():
    assert senders() == {}

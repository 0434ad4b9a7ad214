"""The policy is an engine that knows no app: each app registers the rules of its own actions from its
`rules.py` at start-up, and an action is declared once."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest
from django.apps import apps

from coalition.core import policy
from coalition.core.policy import Anyone, Role, Roles

POLICY_SOURCE = inspect.getsource(policy)
OUR_APPS = [config for config in apps.get_app_configs() if config.name.startswith("coalition.")]


def _imported_modules(source: str) -> set[str]:
    """Every module the source imports, function-local imports included."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def _names(source: str) -> set[str]:
    """The identifiers and the string values the code uses (docstrings aside: they may speak of anything)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            names.update(node.value.replace(".", " ").replace('"', " ").split())
    return names


def test_the_policy_imports_no_app():
    ours = {module for module in _imported_modules(POLICY_SOURCE) if module.startswith("coalition")}
    assert ours, "the parse found the policy's own imports"
    assert {module for module in ours if not module.startswith("coalition.core.")} == set()


def test_the_policy_and_the_core_models_do_not_import_each_other():
    """`core.models` builds its fields on the policy's Classification; the policy finds audiences through the app
    registry."""
    assert not {m for m in _imported_modules(POLICY_SOURCE) if m.startswith("coalition.core.models")}
    core_models = inspect.getsource(importlib.import_module("coalition.core.models"))
    assert "coalition.core.policy" in _imported_modules(core_models)


def test_the_policy_names_no_app_and_no_app_model():
    other_apps = [config for config in OUR_APPS if config.label != "core"]
    models = {model.__name__ for config in other_apps for model in config.get_models()}
    labels = {config.label for config in other_apps}
    assert models and labels
    assert _names(POLICY_SOURCE) & (models | labels) == set()


def test_every_app_registers_the_rules_of_its_own_actions():
    declared: dict[str, policy.Rule] = {}
    for config in OUR_APPS:
        try:
            module = importlib.import_module(f"{config.name}.rules")
        except ModuleNotFoundError:
            continue
        if config.label != "core":
            assert {action.split(".")[0] for action in module.RULES} == {config.label}, config.name
        declared.update(module.RULES)
    assert declared.keys() == policy.RULES.keys()
    assert all(policy.RULES[action] is rule for action, rule in declared.items())


def test_the_rules_are_read_only_outside_registration():
    with pytest.raises(TypeError):
        policy.RULES["directory.manage"] = Anyone()  # type: ignore[index]
    assert isinstance(policy.RULES["directory.manage"], Roles)


def test_an_action_registered_twice_is_refused():
    before = dict(policy.RULES)
    with pytest.raises(ValueError, match=r"directory\.manage"):
        policy.register_rules({"directory.manage": Anyone()})
    with pytest.raises(ValueError, match=r"directory\.manage"):
        # Refused whole: the new action in the same declaration is not registered either.
        policy.register_rules({"tests.new": Anyone(), "directory.manage": Anyone()})
    assert dict(policy.RULES) == before


def test_a_rule_must_be_a_rule():
    with pytest.raises(TypeError):
        policy.register_rules({"tests.new": lambda actor, obj: True})  # type: ignore[dict-item]
    assert "tests.new" not in policy.RULES


def test_a_new_app_rule_needs_no_edit_in_core():
    policy.register_rules({"tests.new": Roles(frozenset({Role.CHAIR}), "Chair")})
    try:
        assert policy.can(None, "tests.new") is False
        assert policy.RULES["tests.new"].description == "Chair"
    finally:
        del policy._RULES["tests.new"]  # the registry outlives the test

"""The strict Content-Security-Policy is sent, and the pages live within it: the browser reports nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page

pytestmark = pytest.mark.browser

# Runs before any page script; CSP does not apply to it. Collects what the browser refuses under the policy.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_home_page_sends_a_content_security_policy_without_unsafe_inline(page: Page) -> None:
    response = page.goto("/")
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_home_page_causes_no_csp_violation_or_console_error(page: Page) -> None:
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.goto("/")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []

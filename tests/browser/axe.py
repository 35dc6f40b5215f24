"""axe-core run inside a page: the serious and critical violations of WCAG 2.1 A and AA and of
axe's best practices that it finds."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SERIOUS = {"serious", "critical"}


def violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    # Injected through the DevTools protocol, which the page's policy (script-src 'none', or
    # 'self' where a passkey is asked for) does not govern: it adds no script to the pages.
    page.evaluate(axe_source)
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", RULES
    )
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def describe(found: dict[str, list[dict[str, Any]]]) -> str:
    return "\n".join(
        f"{where}: {v['id']} ({v['impact']}) {v['help']} at {[n['target'] for n in v['nodes']]}"
        for where, violations in found.items()
        for v in violations
    )

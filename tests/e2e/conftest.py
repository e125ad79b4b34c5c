"""A real Chromium (Debian's package) driven by Playwright against the live test server."""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
# The browser fixtures (`chromium`, `page`) live in tests/conftest.py: one session-wide Chromium
# per worker, whichever test directory uses it (two `sync_playwright()` at once fail).


def firm_url(live_server, slug: str, path: str = "/") -> str:  # type: ignore[no-untyped-def]
    """The live server reached through the firm's own subdomain (*.localhost is loopback)."""
    port = live_server.url.rsplit(":", 1)[1]
    return f"http://{slug}.localhost:{port}{path}"


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Save the page at phone and desktop widths as test artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def accessibility_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Serious and critical WCAG 2.1 A/AA violations that axe-core finds on the current page."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
    return list(results)

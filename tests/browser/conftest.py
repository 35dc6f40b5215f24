"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright for Python,
against web, relay and consumer started as the Procfile starts them, with mail read in MailDev.
`ops/setup-browser` (run by ops/test) installs Chromium and axe-core."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from adapters.settings import Settings
from tests.conftest import ROOT
from tests.oidc_provider import provider_environment, require_provider
from tests.system import System, running_system

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download is not used: these flags keep Chromium from calling home
# (updates, sync, field trials) and from needing a GPU or a sandbox the test machine lacks.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / ".tools" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "ops" / "screenshots"
VIEWPORT = {"width": 960, "height": 720}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="package")
def system(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    require_provider()
    logs = tmp_path_factory.mktemp("browser")
    with running_system(settings, logs, **provider_environment()) as running:
        yield running


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run ops/setup-browser (ops/test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(chromium: Browser, system: System, *, javascript: bool) -> BrowserContext:
    return chromium.new_context(
        base_url=system.base, java_script_enabled=javascript, viewport=VIEWPORT
    )


@pytest.fixture
def page(chromium: Browser, system: System) -> Iterator[Page]:
    """A tab of a browser with JavaScript turned off: every page must work so."""
    context = _context(chromium, system, javascript=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def scripted_page(chromium: Browser, system: System) -> Iterator[Page]:
    """A tab with JavaScript on, for the checks that run a script in the page (axe-core) or
    tamper with a form as an attacker's page would."""
    context = _context(chromium, system, javascript=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def passkey_page(chromium: Browser, system: System) -> Iterator[Page]:
    """A tab with JavaScript on and a platform authenticator, Chromium's virtual one (through
    the DevTools protocol): it makes and signs passkeys with user verification, as a laptop's
    fingerprint reader would, without asking. The pages are opened at http://localhost:<port>:
    a passkey's relying party is a domain, never an IP address (WEBAUTHN_RP_ID is localhost,
    whose origins WEBAUTHN_ORIGINS includes for a PUBLIC_BASE_URL of this machine)."""
    context = chromium.new_context(
        base_url=system.base.replace("127.0.0.1", "localhost"),
        java_script_enabled=True,
        viewport=VIEWPORT,
    )
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield page
    context.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"no axe-core at {AXE}: run ops/setup-browser (ops/test does)")
    return AXE.read_text()


@pytest.fixture
def screenshot(tmp_path: Path):
    """Save a screenshot of the page; with UPDATE_SCREENSHOTS=1 also as the README's copy in
    ops/screenshots/ (left alone otherwise, so that a test run changes no tracked file)."""

    def take(page: Page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            (SCREENSHOTS / path.name).write_bytes(path.read_bytes())
        return path

    return take

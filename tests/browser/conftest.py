"""Browser fixtures: Harbor served from a thread, Debian's headless Chromium driven by Playwright.

One server and one browser for the whole session; each test gets a fresh browser context
(no cookies) at the viewport it is run with. Every request the page makes is checked: only
Harbor's own address may be reached, so a test fails if anything would load from elsewhere.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.live_server import PASSWORD, LiveHarbor, start_harbor
from tests.page_watch import CHROMIUM

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# axe-core impacts that fail a test; "moderate" and "minor" ones are written to the artifacts
FAILING_IMPACTS = ("serious", "critical")


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return (
            "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
        )
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Playwright and axe-playwright-python (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser(chromium: object) -> object:
    """The session's one Chromium (Playwright's sync API allows one instance at a time)."""
    if reason := _missing_browser():
        pytest.skip(reason)
    return chromium


@pytest.fixture(scope="session")
def harbor(browser: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHarbor]:
    live = start_harbor(tmp_path_factory.mktemp("live-harbor"))
    yield live
    live.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    for stale in ARTIFACTS.glob("axe-*.json"):
        stale.unlink()
    return ARTIFACTS


class Visit:
    """One person's visit: a page at a viewport, with the checks every journey makes."""

    def __init__(self, page, harbor: LiveHarbor, viewport: str, artifacts: Path) -> None:  # noqa: ANN001
        self.page = page
        self.harbor = harbor
        self.viewport = viewport
        self.artifacts = artifacts

    def name(self, base: str) -> str:
        """A pseudonym or title unique to this viewport's run (the database is shared)."""
        return f"{base}_{self.viewport}"

    def screenshot(self, name: str) -> Path:
        path = self.artifacts / f"{name}-{self.viewport}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_accessible(self, name: str) -> None:
        """axe-core, in the page: no serious or critical violation; all of them are recorded."""
        from axe_playwright_python.sync_playwright import Axe

        violations = Axe().run(self.page).response["violations"]
        record = self.artifacts / f"axe-{name}-{self.viewport}.json"
        summary = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in violations
        ]
        record.write_text(json.dumps({"url": self.page.url, "violations": summary}, indent=1))
        failing = [v for v in summary if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"{name} at {self.viewport}: {json.dumps(failing, indent=1)}"

    def log_in(self, pseudonym: str) -> None:
        self.harbor.member(pseudonym)
        self.page.goto("/login")
        self.page.get_by_label("Pseudonym").fill(pseudonym)
        self.page.get_by_label("Password", exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.get_by_role("button", name="Log out").wait_for()

    def log_out(self) -> None:
        self.page.get_by_role("button", name="Log out").click()


def _open_visit(browser, harbor, artifacts, viewport: str, **context_options) -> Iterator[Visit]:  # noqa: ANN001
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], base_url=harbor.url, **context_options
    )
    elsewhere: list[str] = []

    def only_harbor(route) -> None:  # noqa: ANN001
        if route.request.url.startswith(harbor.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_harbor)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # a script or style refused by the Content-Security-Policy is reported on the console
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    yield Visit(page, harbor, viewport, artifacts)
    context.close()
    assert elsewhere == [], f"the page tried to reach other sites: {elsewhere}"
    assert errors == [], f"script errors: {errors}"


@pytest.fixture(params=list(VIEWPORTS))
def visit(request, browser, harbor, artifacts) -> Iterator[Visit]:  # noqa: ANN001
    """A fresh visitor at the desktop (1280×800) and at the phone (375×812) viewport."""
    yield from _open_visit(browser, harbor, artifacts, request.param)


@pytest.fixture
def open_visit(browser, harbor, artifacts):  # noqa: ANN001, ANN201
    """Open a visit with particular context options (viewport name, colour scheme, no script)."""
    opened = []

    def open_one(viewport: str = "desktop", **context_options) -> Visit:  # noqa: ANN003
        generator = _open_visit(browser, harbor, artifacts, viewport, **context_options)
        opened.append(generator)
        return next(generator)

    yield open_one
    for generator in opened:
        next(generator, None)

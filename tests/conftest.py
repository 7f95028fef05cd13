"""Shared fixtures: an app on a fresh database, and a browser-like client that sends CSRF tokens.

Every test that uses an app runs once per database: SQLite, and PostgreSQL where it can be
reached (see tests/databases.py; `--db sqlite` or HARBOR_TEST_DATABASES=sqlite for one only).
"""

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

os.environ.setdefault("HARBOR_SECRET_KEY", "test-secret-key")
# Set before anything imports huggingface_hub, which reads them once. Without them a failed
# hub look-up retries for ~30 s before giving up.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from forum import create_app  # noqa: E402
from forum.data.models import Board, Role, User  # noqa: E402
from forum.extensions import db  # noqa: E402
from moderation.scoring import ScoringService  # noqa: E402
from tests.databases import (  # noqa: E402
    chosen_databases,
    empty_all_tables,
    postgresql_unreachable_reason,
    scratch_database,
)

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def suite_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Everything logged at INFO or above during the suite also goes to one file.

    With the test databases it sits under the session's base temp folder, which the last test
    (tests/test_zz_no_ip_addresses.py) scans for IP addresses.
    """
    path = tmp_path_factory.getbasetemp() / "logs" / "suite.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield path
    root.removeHandler(handler)
    root.setLevel(previous_level)
    handler.close()


@pytest.fixture(scope="session")
def chromium():  # noqa: ANN201
    """Debian's headless Chromium through Playwright, shared by the browser tests."""
    from tests.page_watch import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"browser test: no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test: Playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def shared_data_dir() -> Path:
    """../shared/data beside the checkout (or HARBOR_SHARED_DATA)."""
    configured = os.environ.get("HARBOR_SHARED_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


class FormClient:
    """Drives Harbor as a browser would: fetch the page, read its CSRF token, post the form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs):  # noqa: ANN201
        return self.client.get(url, **kwargs)

    def token(self, page_url: str) -> str:
        page = self.client.get(page_url)
        match = CSRF_FIELD.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {page_url} ({page.status_code})"
        return match.group(1)

    def submit(self, page_url: str, data: dict, action: str | None = None, **kwargs):  # noqa: ANN201
        """Post `data` to the form found on `page_url` (to `action`, or back to the page)."""
        payload = {"csrf_token": self.token(page_url), **data}
        return self.client.post(action or page_url, data=payload, **kwargs)

    def signup(self, pseudonym: str, password: str = "correct horse battery"):  # noqa: ANN201
        return self.submit(
            "/signup", {"pseudonym": pseudonym, "password": password, "confirm": password}
        )

    def login(self, pseudonym: str, password: str = "correct horse battery"):  # noqa: ANN201
        return self.submit("/login", {"pseudonym": pseudonym, "password": password})

    def logout(self):  # noqa: ANN201
        return self.submit("/", {}, action="/logout")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        help="databases for the app tests, comma-separated: sqlite,postgresql "
        "(default: HARBOR_TEST_DATABASES, else both)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    databases = chosen_databases(config.getoption("--db"))
    header = f"harbor databases: {', '.join(databases)}"
    if "postgresql" in databases and (reason := postgresql_unreachable_reason()):
        header += f"\n{reason}"
    return header


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that needs a database once per chosen database."""
    databases = chosen_databases(metafunc.config.getoption("--db"))
    for name in ("database", "fresh_database"):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, databases, indirect=True)


@pytest.fixture(scope="session")
def postgresql_test_database() -> Iterator[tuple[str, Engine]]:
    """One PostgreSQL database for the session (URL, and an engine that empties it)."""
    if reason := postgresql_unreachable_reason():
        pytest.skip(reason)
    with scratch_database("harbor_test") as url:
        engine = create_engine(url)
        yield url, engine
        engine.dispose()


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database for one test: a new SQLite file, or the session's
    PostgreSQL database with every table emptied."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'harbor-test.sqlite3'}"
    url, engine = request.getfixturevalue("postgresql_test_database")
    empty_all_tables(engine)
    return url


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it at all, not even tables (for migrations)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'harbor-fresh.sqlite3'}"
        return
    if reason := postgresql_unreachable_reason():
        pytest.skip(reason)
    with scratch_database("harbor_fresh") as url:
        yield url


_apps_made: list[Flask] = []


def make_app(tmp_path: Path, database_url: str | None = None, **overrides) -> Flask:  # noqa: ANN003
    """An app on an empty database (SQLite in tmp_path unless given), rate limits off
    unless a test turns them on."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'harbor-test.sqlite3'}",
        "RATELIMIT_ENABLED": False,
        "HARBOR_BACKGROUND_SWEEP": False,
    }
    app = create_app({**config, **overrides})
    with app.app_context():
        db.create_all()
    use_scorer(app, lambda: FixedScorer({}))  # tests about the model or policy choose their own
    _apps_made.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_app_connections() -> Iterator[None]:
    """Close the connection pools of the apps a test made, so none outlives its test."""
    yield
    while _apps_made:
        app = _apps_made.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path, database: str) -> Flask:
    return make_app(tmp_path, database)


@pytest.fixture
def limited_app(tmp_path: Path, database: str) -> Flask:
    """An app with its rate limits on, as in production."""
    return make_app(tmp_path, database, RATELIMIT_ENABLED=True)


@pytest.fixture
def forms(app: Flask) -> FormClient:
    return FormClient(app.test_client())


@pytest.fixture
def new_forms(app: Flask):  # noqa: ANN201
    """A factory of independent clients (several people at once)."""
    return lambda: FormClient(app.test_client())


@pytest.fixture
def boards(app: Flask) -> dict[str, int]:
    with app.app_context():
        public = Board(slug="day-by-day", name="Day by day", position=1)
        private = Board(slug="members-room", name="Members' room", position=2, members_only=True)
        db.session.add_all([public, private])
        db.session.commit()
        return {"public": public.id, "private": private.id}


def make_user(
    app: Flask, pseudonym: str, role: Role = Role.MEMBER, password: str = "correct horse battery"
) -> int:
    with app.app_context():
        user = User(pseudonym=pseudonym, pseudonym_key=pseudonym.casefold(), role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user.id


class FixedScorer:
    """A stand-in for Detoxify in tests about the policy and the queue: fixed scores by keyword."""

    name = "fixed-test-scorer"

    def __init__(self, scores_by_keyword: dict[str, dict[str, float]]) -> None:
        self.scores_by_keyword = scores_by_keyword

    def score_many(self, texts):  # noqa: ANN001, ANN201
        from moderation.scores import Scores

        results = []
        for text in texts:
            labels = {
                "toxicity": 0.01,
                "severe_toxicity": 0.0,
                "obscene": 0.0,
                "threat": 0.0,
                "insult": 0.0,
                "identity_attack": 0.0,
            }
            for keyword, scores in self.scores_by_keyword.items():
                if keyword in text:
                    labels.update(scores)
            results.append(Scores(model="fixed-test-scorer", labels=labels))
        return results


def use_scorer(app: Flask, loader) -> ScoringService:  # noqa: ANN001
    """Give the app a scoring service whose Detoxify is built by `loader`, loaded before use."""
    service = ScoringService(loader)
    service.wait_until_loaded(timeout=60)
    app.extensions["harbor_scoring"] = service
    return service


@pytest.fixture
def moderated_app(app: Flask) -> Flask:
    """The app with a fixed-score scorer: 'HOSTILE' reads as a threat, 'SWEARY' as obscene."""
    use_scorer(
        app,
        lambda: FixedScorer(
            {
                "HOSTILE": {"threat": 0.93, "toxicity": 0.95, "insult": 0.9},
                "SWEARY": {"obscene": 0.99, "toxicity": 0.8},
            }
        ),
    )
    return app


@pytest.fixture(scope="session")
def tiny_detoxify_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random tiny Detoxify checkpoint; its folder is also its `huggingface_config_path`."""
    from tests.moderation.tiny_detoxify import build_tiny_checkpoint

    return build_tiny_checkpoint(tmp_path_factory.mktemp("tiny-detoxify"))

"""Issue 12: Harbor installs as a package, settings are checked at start, web processes in
worker mode stay lean, and the import contracts hold."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from forum import create_app
from forum.settings import Settings, SettingsError, settings_table

ROOT = Path(__file__).resolve().parent.parent
MODEL_LIBRARIES = ("torch", "transformers", "sklearn", "scipy", "detoxify", "profanity_check")


@pytest.mark.slow
def test_a_wheel_serves_pages_and_migrates_from_another_directory(tmp_path):
    """Build the wheel, install it alone in a new virtualenv (its dependencies come from this
    one's site-packages), and from a folder with no source tree in it run `flask db upgrade`
    and serve a page: templates, static files and migrations travel with the package."""
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            wheels,
            ROOT,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("harbor-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # the dependencies, not Harbor: a path line adds the folder without running its .pth files,
    # so the editable install of this checkout is not seen
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            wheel,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {
        "PATH": os.environ["PATH"],
        "HARBOR_SECRET_KEY": "wheel-test",
        "HARBOR_DATABASE_URL": f"sqlite:///{elsewhere / 'harbor.sqlite3'}",
        "HARBOR_BACKGROUND_SWEEP": "off",
        "HARBOR_SCORING": "worker",
    }
    upgrade = subprocess.run(
        [python, "-m", "flask", "--app", "forum:create_app", "db", "upgrade"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    serve = textwrap.dedent(
        """
        import forum, json
        from forum import create_app
        app = create_app()
        client = app.test_client()
        page = client.get("/help/")
        css = client.get("/static/harbor.css")
        print(json.dumps({"where": forum.__file__, "page": page.status_code,
                          "helplines": b"Get help" in page.data, "css": css.status_code}))
        """
    )
    served = subprocess.run(
        [python, "-c", serve],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    result = json.loads(served.stdout.strip().splitlines()[-1])
    assert str(venv) in result["where"]  # the installed package, not this checkout
    assert result == {**result, "page": 200, "helplines": True, "css": 200}


def test_a_bad_setting_stops_start_up_naming_the_variable(monkeypatch):
    monkeypatch.setenv("HARBOR_SCORING", "inlne")
    monkeypatch.setenv("HARBOR_SCORING_LEASE", "soon")
    with pytest.raises(SettingsError) as refused:
        create_app()
    message = str(refused.value)
    assert "HARBOR_SCORING='inlne': use one of inline, worker" in message
    assert "HARBOR_SCORING_LEASE='soon'" in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HARBOR_THRESHOLDS", '{"treat": {"hold": 0.9}}'),
        ("HARBOR_THRESHOLDS", "not json"),
        ("HARBOR_DATABASE_URL", "mysql://db/harbor"),
        ("HARBOR_RATE_LIMITS", "perhaps"),
        ("HARBOR_REDIS_URL", "127.0.0.1:6379"),
        ("HARBOR_MESSAGE_LIMIT", "lots"),
        ("HARBOR_PROXY_HOPS", "-1"),
        ("HARBOR_BREAK_AFTER_MINUTES", "0"),
        ("HARBOR_BREAK_AFTER_CRISIS_ITEMS", "many"),
        ("HARBOR_ON_DUTY_MINUTES", "2 hours"),
    ],
)
def test_every_kind_of_bad_value_is_refused(variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_environ({variable: value})


def test_settings_read_typed_values():
    settings = Settings.from_environ(
        {"HARBOR_SCORING": "worker", "HARBOR_HTTPS": "on", "HARBOR_SCORING_BUDGET": "0.5"}
    )
    assert (settings.scoring, settings.https, settings.scoring_budget_seconds) == (
        "worker",
        True,
        0.5,
    )
    assert Settings.from_environ({}) == Settings()


def test_the_readme_documents_every_setting():
    assert settings_table() in (ROOT / "README.md").read_text()


def test_a_web_process_in_worker_mode_imports_no_model_library(tmp_path):
    """Serve pages (a post included) in a fresh interpreter and look at what it imported."""
    probe = textwrap.dedent(
        f"""
        import json, sys
        from forum import create_app
        from forum.extensions import db
        from forum.data.models import Board
        app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / "lean.sqlite3"}",
                          "RATELIMIT_ENABLED": False}})
        with app.app_context():
            db.create_all()
            db.session.add(Board(slug="b", name="B"))
            db.session.commit()
        client = app.test_client()
        pages = [client.get(url).status_code for url in ("/", "/b/b", "/help/", "/signup")]
        print(json.dumps({{"pages": pages, "modules": sorted(sys.modules)}}))
        """
    )
    environment = {**os.environ, "HARBOR_SCORING": "worker", "HARBOR_SECRET_KEY": "lean"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["pages"] == [200, 200, 200, 200]
    loaded = {name.split(".")[0] for name in found["modules"]}
    assert loaded.isdisjoint(MODEL_LIBRARIES), sorted(loaded & set(MODEL_LIBRARIES))


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_the_import_contracts_hold_and_catch_a_violation(tmp_path):
    """`lint-imports` passes on the code, and fails once `moderation` imports Flask."""
    kept = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert kept.returncode == 0, kept.stdout[-3000:]
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "forum", copy / "forum", symlinks=True)
    shutil.copytree(ROOT / "moderation", copy / "moderation")
    shutil.copy(ROOT / "pyproject.toml", copy)
    with (copy / "moderation" / "scores.py").open("a") as handle:
        handle.write("\nimport flask  # noqa: E402, F401\n")
    broken = subprocess.run(
        ["lint-imports"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(copy)},
    )
    assert broken.returncode != 0
    assert "moderation is a plain library" in broken.stdout and "BROKEN" in broken.stdout

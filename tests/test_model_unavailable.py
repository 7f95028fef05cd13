"""Issue 3: when Detoxify cannot load, posting works on the fallback, moderators are told
plainly, and the worker rescores those posts with Detoxify once it is back."""

import functools
import shutil

from sqlalchemy import select

from forum.data.models import Post, PostStatus, Role
from forum.data.moderated import ScoringState
from forum.extensions import db
from forum.flow.runtime import publish_status, scoring_service
from moderation.detoxify_scorer import DetoxifyScorer
from tests.conftest import make_user, use_scorer


def test_fallback_then_rescore_with_detoxify(
    app, forms, new_forms, boards, tmp_path, tiny_detoxify_checkpoint
):
    missing = tmp_path / "not-downloaded-yet.ckpt"
    hf_config = str(tiny_detoxify_checkpoint.parent)
    service = use_scorer(
        app,
        functools.partial(
            DetoxifyScorer, checkpoint=str(missing), huggingface_config_path=hf_config
        ),
    )
    assert service.status == "unavailable"

    forms.signup("Writer")
    response = forms.submit(
        "/b/day-by-day/new", {"title": "Day 3", "body": "Made it through day 3."}
    )
    guest_view = new_forms().get(response.location.split("#")[0])
    assert guest_view.status_code == 200 and "Made it through day 3." in guest_view.get_data(
        as_text=True
    )
    with app.app_context():
        post = db.session.scalar(select(Post))
        assert post.status == PostStatus.PUBLISHED
        assert post.scoring == ScoringState.FALLBACK
        assert post.scored_by.startswith("fallback:alt-profanity-check")
        publish_status(scoring_service())

    make_user(app, "Mod", Role.MODERATOR)
    mod = new_forms()
    mod.login("Mod")
    banner = mod.get("/review/").get_data(as_text=True)
    # in plain words for volunteers, with a button, not a traceback or a command
    assert 'class="banner"' in banner and "Automatic holds are off" in banner
    assert "FileNotFoundError" not in banner and "Error:" not in banner
    assert "Try loading the model again" in banner
    assert 'class="banner"' not in forms.get("/").get_data(as_text=True)  # members aren't alarmed
    make_user(app, "Admin", Role.ADMIN)
    admin = new_forms()
    admin.login("Admin")
    dashboard = admin.get("/admin/").get_data(as_text=True)
    # the admin's dashboard has the button too, and the technical reason for whoever fixes it
    assert "Try loading the model again" in dashboard and "FileNotFoundError" in dashboard

    # the model's file arrives; a moderator presses the button instead of running a command
    shutil.copy(tiny_detoxify_checkpoint, missing)
    pressed = mod.submit("/review/", {"back": "/review/"}, action="/review/model/reload")
    assert pressed.status_code == 303 and pressed.location.endswith("/review/")
    assert service.wait_until_loaded(timeout=60)
    result = app.test_cli_runner().invoke(args=["harbor", "worker", "--once"])
    assert result.exit_code == 0 and "Scored 1 posts." in result.output
    with app.app_context():
        post = db.session.scalar(select(Post))
        assert post.scoring == ScoringState.DONE
        assert post.scored_by.startswith("detoxify:")
        assert set(post.findings.scores.labels) >= {"toxicity", "threat", "identity_attack"}
    assert 'class="banner"' not in mod.get("/review/").get_data(as_text=True)

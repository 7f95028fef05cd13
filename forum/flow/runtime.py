"""This process's scoring service, the loops that score what waits, and the model status
moderators see.

In the embedded default (`HARBOR_SCORING=inline`) the web process loads Detoxify in a
background thread and a sweeper thread scores whatever is waiting. At scale
(`HARBOR_SCORING=worker`) web processes never load the model, nor import a model library:
`flask harbor worker` processes score, so the model's memory is paid once per scoring
process, not once per web worker.
"""

import functools
import logging
import threading
import time
from typing import Any

from flask import Flask, current_app

from forum.data.site_settings import get_setting, set_setting
from forum.extensions import db
from forum.flow.scoring import score_waiting
from moderation.scoring import ScoringService

logger = logging.getLogger(__name__)

STATUS_KEY = "scoring_status"
# a moderator's "try loading the model again", for whichever process scores
RELOAD_KEY = "scoring_reload_requested"


def detoxify_loader(config: dict[str, Any]):  # noqa: ANN201
    """The configured Detoxify: a model name, or a local checkpoint with its HF config folder."""
    from moderation.detoxify_scorer import DetoxifyScorer  # torch loads in the loading thread

    return functools.partial(
        DetoxifyScorer,
        model_type=config["HARBOR_MODEL_TYPE"],
        checkpoint=config["HARBOR_MODEL_CHECKPOINT"],
        huggingface_config_path=config["HARBOR_MODEL_HF_CONFIG"],
        device=config["HARBOR_MODEL_DEVICE"],
    )


_creation_lock = threading.Lock()


def scoring_service(app: Flask | None = None) -> ScoringService:
    """The process's service, made and started on first use (so after any fork)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    service = app.extensions.get("harbor_scoring")
    if service is None:
        with _creation_lock:
            service = app.extensions.get("harbor_scoring")
            if service is None:
                service = ScoringService(detoxify_loader(app.config))
                app.extensions["harbor_scoring"] = service
    return service


def publish_status(service: ScoringService) -> None:
    """Record the model's status where every web process can read it (the moderators' banner)."""
    status = {"status": service.status, "reason": service.reason}
    if get_setting(STATUS_KEY, None) != status:
        set_setting(STATUS_KEY, status)
        db.session.commit()


def request_model_reload(app: Flask | None = None) -> None:
    """A moderator asks for the model to be loaded again (after its files were fixed, say).

    Inline, this process loads it now; with separate workers, the next worker round does.
    Once it is ready, posts the fallback scored are scored again (score_what_waits)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["HARBOR_SCORING"] == "inline":
        service = scoring_service(app)
        service.start()
        publish_status(service)
    else:
        set_setting(RELOAD_KEY, True)
        db.session.commit()


def _reload_if_asked(service: ScoringService) -> None:
    if get_setting(RELOAD_KEY, False):
        set_setting(RELOAD_KEY, False)
        db.session.commit()
        service.start()


def score_what_waits(service: ScoringService) -> int:
    """One batch of everything waiting; with Detoxify ready, the fallback's scores too."""
    return score_waiting(service, include_fallback=service.status == "ready")


def run_worker(service: ScoringService, *, forever: bool, interval: float = 1.0) -> int:
    """Score until nothing waits, or forever; returns the number scored.

    A worker that runs forever outlives a bad moment (the database restarting, say): it logs
    the error and tries again after `interval`.
    """
    scored = 0
    while True:
        try:
            _reload_if_asked(service)
            publish_status(service)
            batch = score_what_waits(service)
        except Exception:
            if not forever:
                raise
            logger.exception("Scoring failed; trying again shortly")
            db.session.rollback()
            batch = 0
        scored += batch
        if batch:
            continue
        if not forever:
            return scored
        time.sleep(interval)


def start_background_scoring(app: Flask, interval: float = 2.0) -> None:
    """In the embedded default, load the model and score waiting posts in this process.

    Called at a gunicorn worker's start and, failing that, at the first request: after any
    fork, since threads do not survive one.
    """
    if app.config["HARBOR_SCORING"] != "inline" or not app.config["HARBOR_BACKGROUND_SWEEP"]:
        return
    with _creation_lock:
        if app.extensions.get("harbor_sweeper"):
            return
        app.extensions["harbor_sweeper"] = True

    def sweep() -> None:
        while True:
            with app.app_context():
                try:
                    run_worker(scoring_service(app), forever=False)
                except Exception:  # the sweeper must outlive a bad moment (database restart)
                    logger.exception("Scoring sweep failed; trying again shortly")
                    db.session.rollback()
            time.sleep(interval)

    threading.Thread(target=sweep, name="harbor-scoring-sweeper", daemon=True).start()

"""Online meetings' pages (the `meetings` blueprint): the schedule, proposing and approving,
the live room and its controls, the stream, the end and the 7-day plan.

The room works without JavaScript: its page refreshes itself (unless the reader is writing)
and every control is a plain form that comes back to the room. With JavaScript
(static/meetings.js) the page listens to the room's Server-Sent Events and sends the same
forms in the background; those requests say so (X-Requested-With: fetch) and get JSON back.
"""

import threading
from datetime import UTC

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from forum.data.local_time import now_utc, zone_name
from forum.data.moderated import PostStatus
from forum.data.posting import PostingError
from forum.extensions import db
from forum.meetings import (
    review,  # noqa: F401 - room lines in the review queue
    room,
)
from forum.meetings.broker import init_broker
from forum.meetings.formats import FORMATS
from forum.meetings.forms import EndForm, LineForm, PlanForm, ProposeForm
from forum.meetings.models import (
    Meeting,
    MeetingLine,
    MeetingOccasion,
    MeetingParticipant,
    MeetingStatus,
    ParticipantState,
)
from forum.meetings.schedule import shown_to
from forum.meetings.stream import room_events
from forum.ratelimit import limiter
from forum.web.compose import HELPLINES_FIRST, Draft
from moderation.submission import Place

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
NO_SCRIPT_REFRESH_SECONDS = 8


@bp.record_once
def _start_broker(state) -> None:  # noqa: ANN001
    init_broker(state.app)
    # each open stream holds a gunicorn thread: no more than the threads set aside for them
    state.app.extensions["harbor_meeting_streams"] = threading.BoundedSemaphore(
        max(state.app.config["HARBOR_MEETING_STREAMS"], 1)
    )


@bp.app_context_processor
def _attendance() -> dict:
    """The recovery page lists the member's own meetings (templates/meetings/_attendance.html)."""
    return {"my_meeting_attendance": lambda: room.attendance_of(current_user)}


def _fetching() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.errorhandler(PostingError)
def _refused(error: PostingError) -> Response:
    db.session.rollback()
    if _fetching():
        return jsonify(error=str(error)), error.status
    flash(str(error), "error")
    meeting_id = request.view_args.get("meeting_id") if request.view_args else None
    target = (
        url_for("meetings.meeting", meeting_id=meeting_id)
        if meeting_id
        else url_for("meetings.schedule")
    )
    if request.endpoint and request.endpoint.startswith("meetings.room") and meeting_id:
        target = url_for("meetings.room_page", meeting_id=meeting_id)
    return redirect(target)


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    moderator = current_user.is_authenticated and current_user.is_moderator
    if meeting.status != MeetingStatus.APPROVED and not (
        moderator or room.role_in(meeting, current_user) == "chair"
    ):
        abort(404)
    if meeting.members_only and not current_user.is_authenticated:
        abort(404)
    return meeting


def _counts(occasion_ids: list[int]) -> dict[int, int]:
    if not occasion_ids:
        return {}
    rows = db.session.execute(
        select(MeetingParticipant.occasion_id, func.count())
        .where(
            MeetingParticipant.occasion_id.in_(occasion_ids),
            MeetingParticipant.state == ParticipantState.IN,
        )
        .group_by(MeetingParticipant.occasion_id)
    )
    return dict(rows.all())


@bp.route("")
def schedule() -> str:
    room.delete_expired_transcripts()
    db.session.commit()
    query = select(Meeting).where(Meeting.status == MeetingStatus.APPROVED)
    if not current_user.is_authenticated:
        query = query.where(Meeting.members_only.is_(False))
    meetings = db.session.scalars(query.order_by(Meeting.id)).all()
    live = {
        o.meeting_id: o
        for o in db.session.scalars(
            select(MeetingOccasion).where(
                MeetingOccasion.ended_at.is_(None),
                MeetingOccasion.meeting_id.in_([m.id for m in meetings]),
            )
        )
    }
    counts = _counts([o.id for o in live.values()])
    now = now_utc()
    rows = []
    for meeting in meetings:
        occasion = live.get(meeting.id)
        when = shown_to(meeting, current_user, now)
        if occasion is None and when is None:
            continue
        rows.append(
            {
                "meeting": meeting,
                "live": occasion is not None,
                "when": when,
                "here": counts.get(occasion.id, 0) if occasion else 0,
            }
        )
    rows.sort(key=lambda r: (not r["live"], r["when"].moment if r["when"] else now))
    proposals = []
    if current_user.is_authenticated and current_user.is_moderator:
        proposals = db.session.scalars(
            select(Meeting).where(Meeting.status == MeetingStatus.PROPOSED).order_by(Meeting.id)
        ).all()
    return render_template(
        "meetings/schedule.html",
        rows=rows,
        formats=FORMATS,
        zone=zone_name(current_user),
        proposals=proposals,
        may_propose=room.may_propose(current_user),
        propose_days=current_app.config["HARBOR_MEETING_PROPOSE_DAYS"],
    )


@bp.route("/propose", methods=["GET", "POST"])
@login_required
def propose() -> str | Response:
    form = ProposeForm()
    if not form.is_submitted():
        form.time_zone.data = zone_name(current_user)
    if not room.may_propose(current_user):
        days = current_app.config["HARBOR_MEETING_PROPOSE_DAYS"]
        flash(f"Members may propose a meeting after {days} days with Harbor.", "info")
        return redirect(url_for("meetings.schedule"))
    if form.validate_on_submit():
        weekly = form.repeats.data == "weekly"
        meeting = room.propose(
            current_user,
            title=form.title.data,
            format_key=form.format.data,
            members_only=form.members_only.data,
            weekday=int(form.weekday.data) if weekly else None,
            starts_on=None if weekly else form.starts_on.data,
            at_time=form.at_time.data,
            time_zone=form.time_zone.data,
            duration_minutes=form.duration_minutes.data,
            greeting=form.greeting.data.strip(),
            reading=(form.reading.data or "").strip(),
            co_hosts=[n.strip() for n in (form.co_hosts.data or "").split(",") if n.strip()],
            greeter=form.greeter.data or None,
        )
        db.session.commit()
        flash("Thank you. A moderator will look at your meeting and its chair soon.", "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/propose.html", form=form)


@bp.route("/<int:meeting_id>/decide", methods=["POST"])
@login_required
def decide(meeting_id: int) -> Response:
    if not current_user.is_moderator:
        abort(403)
    meeting = _meeting_or_404(meeting_id)
    approve = request.form.get("decision") == "approve"
    room.decide_proposal(meeting, current_user, approve)
    db.session.commit()
    flash("Approved: it is on the schedule." if approve else "Declined.", "success")
    return redirect(url_for("meetings.schedule"))


@bp.route("/<int:meeting_id>")
def meeting(meeting_id: int) -> str:
    meeting = _meeting_or_404(meeting_id)
    occasion = room.live_occasion(meeting)
    here = room.participant(occasion, current_user) if occasion else None
    last = db.session.scalar(
        select(MeetingOccasion)
        .where(MeetingOccasion.meeting_id == meeting.id, MeetingOccasion.ended_at.is_not(None))
        .order_by(MeetingOccasion.id.desc())
    )
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        format=FORMATS[meeting.format],
        occasion=occasion,
        here=here,
        role=room.role_in(meeting, current_user),
        is_host=room.is_host(meeting, current_user),
        when=shown_to(meeting, current_user, now_utc()),
        last=last,
        last_here=room.participant(last, current_user) if last else None,
        banned=current_user.is_authenticated and room.is_banned(meeting, current_user),
    )


@bp.route("/<int:meeting_id>/open", methods=["POST"])
@login_required
def open_room(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    room.open_meeting(meeting, current_user)
    db.session.commit()
    return redirect(url_for("meetings.room_page", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/join", methods=["POST"])
@login_required
def join(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = room.live_occasion(meeting)
    if occasion is None:
        raise PostingError("This meeting isn't open just now.", 409)
    room.join(occasion, current_user)
    db.session.commit()
    return redirect(url_for("meetings.room_page", meeting_id=meeting.id))


def _live_or_redirect(meeting: Meeting) -> MeetingOccasion:
    occasion = room.live_occasion(meeting)
    if occasion is None:
        raise PostingError("This meeting has ended.", 409)
    return occasion


def _panel_context(meeting: Meeting, occasion: MeetingOccasion) -> dict:
    here = room.participant(occasion, current_user)
    host = room.is_host(meeting, current_user)
    people = db.session.scalars(
        select(MeetingParticipant)
        .where(MeetingParticipant.occasion_id == occasion.id)
        .order_by(MeetingParticipant.joined_at, MeetingParticipant.id)
    ).all()
    return {
        "meeting": meeting,
        "occasion": occasion,
        "here": here,
        "is_host": host,
        "role": room.role_in(meeting, current_user),
        "hands": room.hands(occasion),
        "people": [p for p in people if p.state == ParticipantState.IN],
        "waiting": [p for p in people if p.state == ParticipantState.WAITING],
        "alerts": room.crisis_alerts(occasion) if host else [],
        "may_write": room.may_write(occasion, here),
        "end_form": EndForm(),
    }


def _in_room_or_redirect(meeting: Meeting) -> tuple[MeetingOccasion, MeetingParticipant]:
    occasion = room.live_occasion(meeting)
    here = room.participant(occasion, current_user) if occasion else None
    if occasion is None:
        ended = room.last_attended(meeting, current_user)
        if ended is not None:  # the meeting ended while they were in it: the close
            abort(redirect(url_for("meetings.plan", meeting_id=meeting.id, occasion_id=ended)))
    if occasion is None or here is None or here.state == ParticipantState.REMOVED:
        if here is not None:
            flash("A host removed you from this meeting.", "error")
        abort(redirect(url_for("meetings.meeting", meeting_id=meeting.id)))
    return occasion, here


@bp.route("/<int:meeting_id>/room")
@login_required
def room_page(meeting_id: int) -> str:
    meeting = _meeting_or_404(meeting_id)
    occasion, here = _in_room_or_redirect(meeting)
    context = _panel_context(meeting, occasion)
    lines = room.lines_after(occasion.id, 0) if here.state == ParticipantState.IN else []
    # the writer of a line with crisis language sees helplines first, at once
    helplines_first = None
    first = session.get(HELPLINES_FIRST)
    if first and first[0] == MeetingLine.review_type:
        session.pop(HELPLINES_FIRST)
        helplines_first = first[1]
    return render_template(
        "meetings/room.html",
        lines=lines,
        last_seq=lines[-1].seq if lines else 0,
        form=LineForm(),
        helplines_first=helplines_first,
        refresh=NO_SCRIPT_REFRESH_SECONDS,
        live=request.args.get("live") == "1",  # the page is live through meetings.js
        **context,
    )


def _still_in_room(meeting: Meeting) -> tuple[MeetingOccasion, MeetingParticipant] | None:
    occasion = room.live_occasion(meeting)
    here = room.participant(occasion, current_user) if occasion else None
    if here is None or here.state == ParticipantState.REMOVED:
        return None
    return occasion, here


@bp.route("/<int:meeting_id>/room/panel")
@login_required
def room_panel(meeting_id: int) -> str | Response:
    meeting = _meeting_or_404(meeting_id)
    found = _still_in_room(meeting)
    if found is None:
        return Response(status=204)  # ended, or removed: the page reloads and says which
    return render_template("meetings/_panel.html", **_panel_context(meeting, found[0]))


@bp.route("/<int:meeting_id>/room/events")
@login_required
def room_stream(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    found = _still_in_room(meeting)
    if found is None:
        return Response(status=204)  # EventSource stops reconnecting; the page reloads
    occasion, here = found
    if here.state != ParticipantState.IN:
        last = occasion.last_seq  # from the waiting room: only what is said once let in
    else:
        try:
            last = int(request.headers.get("Last-Event-ID") or request.args.get("after") or 0)
        except ValueError:
            last = 0
    occasion_id, participant_id = occasion.id, here.id
    db.session.close()
    streams = current_app.extensions["harbor_meeting_streams"]
    if not streams.acquire(blocking=False):
        # every stream thread is taken: the page refreshes itself instead (meetings.js)
        return Response("busy", status=503, headers={"Retry-After": "10"})

    response = Response(
        stream_with_context(room_events(occasion_id, participant_id, max(last, 0))),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    response.call_on_close(streams.release)  # however the stream ends, even before it starts
    return response


def _back(meeting: Meeting, go: str | None = None) -> Response:
    if _fetching():
        return jsonify(ok=True, go=go)
    return redirect(go or url_for("meetings.room_page", meeting_id=meeting.id))


def _line_limit() -> str:
    return current_app.config["HARBOR_MEETING_MESSAGE_LIMIT"]


@bp.route("/<int:meeting_id>/room/say", methods=["POST"])
@login_required
@limiter.limit(_line_limit, key_func=lambda: f"meeting-line:{current_user.id}")
def room_say(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = _live_or_redirect(meeting)
    form = LineForm()
    if not form.validate_on_submit():
        raise PostingError(next(iter(form.errors.values()))[0], 400)
    draft = Draft.of(Place.MEETING, form.body.data, confirmed=form.post_anyway.data)
    crisis = draft.findings.crisis.shows_help
    if draft.needs_confirmation and not crisis:
        found = ", ".join(f"{d.kind.replace('_', ' ')} “{d.text}”" for d in draft.details)
        message = (
            f"This may identify someone ({found}). Change it, or tick “Send anyway” to send it."
        )
        if _fetching():
            return jsonify(error=message, confirm=True), 409
        flash(message, "error")
        return redirect(url_for("meetings.room_page", meeting_id=meeting.id))
    line, allowed = room.start_line(occasion, current_user, form.body.data, crisis=crisis)
    draft.send(line)
    # crisis language with identifying details: the chair and moderators read it, not the room
    room.said(line, to_room=allowed and not draft.needs_confirmation)
    db.session.commit()
    # the writer's next page, with helplines first if need be (already live through the script)
    room_url = url_for(
        "meetings.room_page", meeting_id=meeting.id, live="1" if _fetching() else None
    )
    if line.findings is not None and line.findings.crisis.shows_help:
        session[HELPLINES_FIRST] = [MeetingLine.review_type, line.id]
        return _back(meeting, room_url)
    if line.status == PostStatus.HELD:
        message = "A moderator will read what you wrote before the room sees it."
        if _fetching():
            return jsonify(ok=True, notice=message)
        flash(message, "info")
    return _back(meeting)


def _other(occasion: MeetingOccasion, participant_id: int) -> MeetingParticipant:
    other = db.session.get(MeetingParticipant, participant_id)
    if other is None or other.occasion_id != occasion.id:
        abort(404)
    return other


@bp.route("/<int:meeting_id>/room/hand", methods=["POST"])
@login_required
def room_hand(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = _live_or_redirect(meeting)
    room.raise_hand(occasion, current_user, request.form.get("up") == "yes")
    db.session.commit()
    return _back(meeting)


@bp.route("/<int:meeting_id>/room/finish", methods=["POST"])
@login_required
def room_finish(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = _live_or_redirect(meeting)
    room.finish_share(occasion, current_user, passed=request.form.get("how") == "pass")
    db.session.commit()
    return _back(meeting)


HOST_ACTIONS = {
    "admit": lambda o, h, p: room.admit(o, h, p),
    "remove": lambda o, h, p: room.remove(o, h, p),
    "mute": lambda o, h, p: room.mute(o, h, p, True),
    "unmute": lambda o, h, p: room.mute(o, h, p, False),
    "call": lambda o, h, p: room.call_on(o, h, p),
}


@bp.route("/<int:meeting_id>/room/people/<int:participant_id>", methods=["POST"])
@login_required
def room_host_action(meeting_id: int, participant_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = _live_or_redirect(meeting)
    action = HOST_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        abort(400)
    action(occasion, current_user, _other(occasion, participant_id))
    db.session.commit()
    return _back(meeting)


@bp.route("/<int:meeting_id>/room/lock", methods=["POST"])
@login_required
def room_lock(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = _live_or_redirect(meeting)
    room.lock(occasion, current_user, request.form.get("locked") == "yes")
    db.session.commit()
    return _back(meeting)


@bp.route("/<int:meeting_id>/room/end", methods=["POST"])
@login_required
def room_end(meeting_id: int) -> Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = _live_or_redirect(meeting)
    form = EndForm()
    room.end(occasion, current_user, keep_transcript=form.keep_transcript.data)
    db.session.commit()
    return _back(meeting, url_for("meetings.plan", meeting_id=meeting.id, occasion_id=occasion.id))


@bp.route("/<int:meeting_id>/<int:occasion_id>/plan", methods=["GET", "POST"])
@login_required
def plan(meeting_id: int, occasion_id: int) -> str | Response:
    meeting = _meeting_or_404(meeting_id)
    occasion = db.session.get(MeetingOccasion, occasion_id)
    if occasion is None or occasion.meeting_id != meeting.id:
        abort(404)
    here = room.participant(occasion, current_user)
    if here is None or here.state == ParticipantState.WAITING:
        abort(404)
    form = PlanForm(obj=here)
    if form.validate_on_submit():
        room.write_plan(occasion, current_user, form.plan.data.strip())
        db.session.commit()
        flash("Your 7-day plan is saved. Only you can read it, on your recovery page.", "success")
        return redirect(url_for("fellowship.recovery"))
    transcript = []
    if occasion.transcript_until is not None:
        transcript = room.lines_after(occasion.id, 0)
    return render_template(
        "meetings/plan.html",
        meeting=meeting,
        occasion=occasion,
        form=form,
        here=here,
        transcript=transcript,
        ended_at=occasion.ended_at.replace(tzinfo=UTC) if occasion.ended_at else None,
    )

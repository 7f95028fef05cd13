"""Sign-up, log-in, recovery codes and passwords. A pseudonym and a password, nothing else."""

import secrets

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select, update
from werkzeug import Response

from forum.data.clock import utcnow
from forum.data.models import RecoveryCode, User, hash_recovery_code
from forum.data.notifications import Notification
from forum.extensions import db, login_manager
from forum.flow.checks import pseudonym_refusal
from forum.pages.forms import ChangePasswordForm, LoginForm, RecoverForm, SignupForm
from forum.ratelimit import (
    LOGIN_PER_ADDRESS,
    LOGIN_PER_PSEUDONYM,
    RECOVER_PER_ADDRESS,
    RECOVER_PER_PSEUDONYM,
    SIGNUP_PER_ADDRESS,
    hashed_pseudonym,
    limiter,
)
from moderation.identifying import pseudonym_problem

bp = Blueprint("auth", __name__)

RECOVERY_CODE_COUNT = 8

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to do that."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user_key, _, token = user_id.partition(":")
    if not user_key.isdigit():
        return None
    user = db.session.get(User, int(user_key))
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    if user.is_suspended():
        return None
    return user


def find_user(pseudonym: str) -> User | None:
    return db.session.scalar(select(User).where(User.pseudonym_key == pseudonym.casefold()))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the member's recovery codes; the plain codes are shown once and never stored."""
    user.recovery_codes.clear()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(6)
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        user.recovery_codes.append(RecoveryCode(code_hash=hash_recovery_code(raw)))
    return codes


LOGIN_LIMIT_MESSAGE = (
    "Too many log-in attempts. To keep members' accounts safe from password guessing, "
    "Harbor has paused log-in here for a while."
)
BOT_REFUSAL = (
    "Sign-up refused: a hidden field that people leave empty was filled in, as automated "
    "sign-up scripts do. If you are a person, please go back, reload the page and try again."
)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(
    SIGNUP_PER_ADDRESS,
    methods=["POST"],
    error_message="Too many sign-ups from here in a short time.",
)
def signup() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("boards.index"))
    form = SignupForm()
    if request.method == "POST" and form.website.data:
        abort(400, BOT_REFUSAL)  # the honeypot: nothing a bot sent is even validated
    if form.validate_on_submit():
        problem = pseudonym_problem(form.pseudonym.data)
        if problem:
            form.pseudonym.errors.append(problem)
        elif find_user(form.pseudonym.data):
            form.pseudonym.errors.append("That pseudonym is taken. Please pick another.")
        elif refusal := pseudonym_refusal(form.pseudonym.data):
            form.pseudonym.errors.append(refusal)
        else:
            user = User(pseudonym=form.pseudonym.data, pseudonym_key=form.pseudonym.data.casefold())
            user.set_password(form.password.data)
            codes = new_recovery_codes(user)
            db.session.add(user)
            db.session.commit()
            login_user(user)
            session["recovery_codes"] = codes
            return redirect(url_for("auth.recovery_codes"))
    return render_template("auth/signup.html", form=form)


@bp.route("/account/recovery-codes")
@login_required
def recovery_codes() -> str | Response:
    """Show freshly made recovery codes once: they leave the session as they are shown."""
    codes = session.pop("recovery_codes", None)
    if not codes:
        flash("Your recovery codes were shown once and are not stored in a readable form.", "info")
        return redirect(url_for("auth.account"))
    response = make_response(render_template("auth/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_PER_ADDRESS, methods=["POST"], error_message=LOGIN_LIMIT_MESSAGE)
@limiter.limit(
    LOGIN_PER_PSEUDONYM,
    methods=["POST"],
    key_func=hashed_pseudonym,
    error_message=LOGIN_LIMIT_MESSAGE,
)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("boards.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.pseudonym.data)
        if user is None or not user.check_password(form.password.data):
            flash("That pseudonym and password don't match.", "error")
        elif user.is_suspended():
            until = user.suspended_until.strftime("%Y-%m-%d %H:%M UTC")
            flash(f"This account is suspended until {until}.", "error")
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.pseudonym}.", "success")
            return redirect(_safe_next() or url_for("boards.index"))
    return render_template("auth/login.html", form=form)


def _safe_next() -> str | None:
    """Only follow a `next` that stays on this site."""
    target = request.args.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    flash("You are logged out. Take care.", "success")
    return redirect(url_for("boards.index"))


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit(RECOVER_PER_ADDRESS, methods=["POST"])
@limiter.limit(RECOVER_PER_PSEUDONYM, methods=["POST"], key_func=hashed_pseudonym)
def recover() -> str | Response:
    form = RecoverForm()
    if form.validate_on_submit():
        user = find_user(form.pseudonym.data)
        code_hash = hash_recovery_code(form.code.data)
        code = None
        if user is not None:
            code = next(
                (c for c in user.recovery_codes if c.used_at is None and c.code_hash == code_hash),
                None,
            )
        if code is None:
            flash("That pseudonym and recovery code don't match an unused code.", "error")
        else:
            code.used_at = utcnow()
            user.set_password(form.password.data)
            db.session.commit()
            left = sum(1 for c in user.recovery_codes if c.used_at is None)
            flash(f"Your password is changed. You have {left} recovery codes left.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/recover.html", form=form)


@bp.route("/account")
@login_required
def account() -> str:
    left = sum(1 for c in current_user.recovery_codes if c.used_at is None)
    return render_template("auth/account.html", codes_left=left)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            current_user.set_password(form.password.data)
            db.session.commit()
            login_user(current_user)  # the session token changed with the password
            flash("Your password is changed. Other devices are logged out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/recovery-codes/new", methods=["POST"])
@login_required
def regenerate_recovery_codes() -> Response:
    session["recovery_codes"] = new_recovery_codes(current_user)
    db.session.commit()
    return redirect(url_for("auth.recovery_codes"))


@bp.route("/account/messages")
@login_required
def messages() -> str:
    """Messages from the moderators and Harbor: there is no e-mail, so they live here."""
    notes = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
        .limit(100)
    ).all()
    return render_template("auth/messages.html", notes=notes)


@bp.route("/account/messages/read", methods=["POST"])
@login_required
def mark_messages_read() -> Response:
    """Reading is a page view, which never writes; marking read is this explicit step."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("auth.messages"))

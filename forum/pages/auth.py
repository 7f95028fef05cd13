"""Sign-up, log-in, recovery codes and passwords. A pseudonym and a password, nothing else."""

import functools
import secrets
import unicodedata
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select, update
from werkzeug import Response
from werkzeug.security import check_password_hash, generate_password_hash

from forum.data.clock import utcnow
from forum.data.member_sessions import (
    end_session,
    end_sessions,
    member_of_session,
    open_session_count,
    start_session,
)
from forum.data.models import RecoveryCode, User, hash_recovery_code
from forum.data.notifications import Notification
from forum.extensions import db, login_manager
from forum.flow.checks import pseudonym_refusal
from forum.pages.forms import ChangePasswordForm, LoginForm, RecoverForm, SignupForm
from forum.pages.known_devices import known_device_of, remember_device
from forum.ratelimit import (
    LOGIN_PER_ADDRESS,
    LOGIN_PER_KNOWN_DEVICE,
    LOGIN_PER_PSEUDONYM,
    RECOVER_PER_ADDRESS,
    RECOVER_PER_PSEUDONYM_AND_ADDRESS,
    SIGNUP_PER_ADDRESS,
    hashed_pseudonym,
    hashed_pseudonym_and_address,
    keyed_hash,
    limiter,
)
from forum.web.pauses import pause_of
from moderation.identifying import pseudonym_problem

bp = Blueprint("auth", __name__)

RECOVERY_CODE_COUNT = 8
PSEUDONYM_MAX_CHARS = 32

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to do that."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(key: str) -> User | None:
    """The member whose open session the browser's cookie names (forum/data/member_sessions);
    a suspended member is signed out."""
    user = member_of_session(key)
    if user is None or user.is_suspended():
        return None
    user.session_key = key
    return user


def sign_in(user: User, remember: bool = False) -> None:
    """Start a server-side session and sign this browser in with it (the caller commits)."""
    lifetime = timedelta(days=current_app.config["HARBOR_SESSION_DAYS"])
    user.session_key = start_session(user, lifetime)
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's session on the server and sign it out (the caller commits)."""
    if key := getattr(current_user, "session_key", None):
        end_session(key)
    logout_user()


def find_user(pseudonym: str) -> User | None:
    return db.session.scalar(select(User).where(User.pseudonym_key == pseudonym.casefold()))


def named_member() -> User | None:
    """The member a log-in form names, looked up once per request (the limits ask too)."""
    if "harbor_named_member" not in g:
        pseudonym = (request.form.get("pseudonym") or "").strip()
        too_long = len(pseudonym) > PSEUDONYM_MAX_CHARS
        g.harbor_named_member = None if too_long or not pseudonym else find_user(pseudonym)
    return g.harbor_named_member


def from_known_device() -> bool:
    return known_device_of(named_member()) is not None


def known_device_key() -> str:
    """Attempts from a device that signed in as the member before count on their own."""
    member = named_member()
    return keyed_hash(f"login-device:{known_device_of(member)}:{member.id if member else ''}")


@functools.cache
def _hash_of_no_password() -> str:
    return generate_password_hash(secrets.token_hex(16))


def password_matches(user: User | None, password: str) -> bool:
    """Check the password with the same scrypt work whether or not the member exists, so the
    time an answer takes doesn't tell which pseudonyms are taken."""
    if user is None:
        check_password_hash(_hash_of_no_password(), password)
        return False
    return user.check_password(password)


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
            db.session.flush()
            sign_in(user)
            db.session.commit()
            return remember_device(recovery_codes_page(codes), user)
    return render_template("auth/signup.html", form=form)


def recovery_codes_page(codes: list[str]) -> Response:
    """The new codes, in this response only: never in a cookie, never stored readable, and
    never cached."""
    response = make_response(render_template("auth/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_PER_ADDRESS, methods=["POST"], error_message=LOGIN_LIMIT_MESSAGE)
@limiter.limit(
    LOGIN_PER_PSEUDONYM,
    methods=["POST"],
    key_func=hashed_pseudonym,
    exempt_when=from_known_device,
    error_message=LOGIN_LIMIT_MESSAGE,
)
@limiter.limit(
    LOGIN_PER_KNOWN_DEVICE,
    methods=["POST"],
    key_func=known_device_key,
    exempt_when=lambda: not from_known_device(),
    error_message=LOGIN_LIMIT_MESSAGE,
)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("boards.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = named_member()
        if not password_matches(user, form.password.data):
            flash("That pseudonym and password don't match.", "error")
        elif (pause := pause_of(user)) and pause.kind == "suspend":
            why = f" A moderator said why: {pause.reason}" if pause.reason else ""
            flash(f"This account is suspended until {pause.until_text}.{why}", "error")
        else:
            sign_in(user, remember=form.remember.data)
            db.session.commit()
            flash(f"Welcome back, {user.pseudonym}.", "success")
            return remember_device(redirect(_safe_next() or url_for("boards.index")), user)
    return render_template("auth/login.html", form=form)


def _safe_next() -> str | None:
    """Only follow a `next` that is a path on this site. Browsers drop tabs and newlines from
    a URL (so "/%09/evil.example" opens //evil.example) and read a backslash as "/", so a path
    holding a control or format character, or a backslash, is not followed."""
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(unicodedata.category(char).startswith("C") for char in target):
        return None
    return target


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    sign_out()
    db.session.commit()
    flash("You are logged out. Take care.", "success")
    return redirect(url_for("boards.index"))


@bp.route("/account/log-out-everywhere", methods=["POST"])
@login_required
def log_out_everywhere() -> Response:
    """End every session of the member: a phone left somewhere, a shared computer."""
    end_sessions(current_user)
    logout_user()
    db.session.commit()
    flash("You are logged out on every device. Take care.", "success")
    return redirect(url_for("boards.index"))


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit(RECOVER_PER_ADDRESS, methods=["POST"])
@limiter.limit(
    RECOVER_PER_PSEUDONYM_AND_ADDRESS, methods=["POST"], key_func=hashed_pseudonym_and_address
)
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
            end_sessions(user)  # whoever had the old password is signed out everywhere
            db.session.commit()
            left = sum(1 for c in user.recovery_codes if c.used_at is None)
            flash(f"Your password is changed. You have {left} recovery codes left.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/recover.html", form=form)


@bp.route("/account")
@login_required
def account() -> str:
    left = sum(1 for c in current_user.recovery_codes if c.used_at is None)
    return render_template(
        "auth/account.html", codes_left=left, sessions=open_session_count(current_user)
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            member = current_user._get_current_object()
            member.set_password(form.password.data)
            end_sessions(member)  # a copy of any cookie, this browser's too, opens nothing now
            sign_in(member, remember="remember_token" in request.cookies)
            db.session.commit()
            flash("Your password is changed. Other devices are logged out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/recovery-codes/new", methods=["POST"])
@login_required
def regenerate_recovery_codes() -> Response:
    codes = new_recovery_codes(current_user)
    db.session.commit()
    return recovery_codes_page(codes)


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

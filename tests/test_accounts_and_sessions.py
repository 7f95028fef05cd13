"""Issue 15: log-in, log-out, lockout, sign-up and posting hold against a hostile client."""

import hashlib
import json
import re
import statistics
import time
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.models import User
from forum.extensions import db
from tests.conftest import FormClient, make_user

PASSWORD = "correct horse battery"
C0_CONTROLS_AND_SPACE = "".join(map(chr, range(0x21)))
CODE = re.compile(r"<code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code>")


def client_from(app, address: str) -> FormClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return FormClient(client)


def where_a_browser_goes(location: str) -> tuple[str, str]:
    """The host and path a browser opens for this Location, after the URL standard's
    clean-up (tabs and newlines removed, surrounding control characters and spaces stripped)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip(C0_CONTROLS_AND_SPACE)
    target = urlsplit(urljoin("http://harbor.test/login", cleaned.replace("\\", "/")))
    return target.netloc, target.path


# --- where log-in leads -------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_value",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0aSet-Cookie:%20x=y",
        "//evil.example",
        "/%5c/evil.example",
        "/%5C%5Cevil.example",
        "https://evil.example/",
        "%2F%2Fevil.example",
        "/%E2%80%8B/evil.example",
    ],
)
def test_log_in_never_leads_off_harbor(app, forms, next_value):
    make_user(app, "Traveller", password=PASSWORD)
    response = forms.submit(
        f"/login?next={next_value}", {"pseudonym": "Traveller", "password": PASSWORD}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert not re.search(r"[\x00-\x1f\x7f]", location)
    host, path = where_a_browser_goes(location)
    assert host == "harbor.test" and not path.startswith("//")


def test_log_in_follows_a_next_that_stays_on_harbor(app, forms, boards):
    make_user(app, "Homebody", password=PASSWORD)
    response = forms.submit(
        "/login?next=/b/day-by-day/new%3Ftitle%3DDay%2030",
        {"pseudonym": "Homebody", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/b/day-by-day/new?title=Day%2030"


# --- sessions end on the server -----------------------------------------------------------


def copy_of(app, client: FormClient, *names: str) -> FormClient:
    """Another browser holding copies of these cookies (a stolen or synced cookie jar)."""
    thief = FormClient(app.test_client())
    for name in names:
        cookie = client.client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        thief.client.set_cookie(name, cookie.value)
    return thief


def log_in_remembered(client: FormClient, pseudonym: str) -> None:
    """Log in with "Keep me logged in" ticked: a remember cookie too."""
    client.submit("/login", {"pseudonym": pseudonym, "password": PASSWORD, "remember": "y"})


def signed_in(client: FormClient) -> bool:
    return client.get("/account").status_code == 200


def test_log_out_ends_the_session_on_the_server(app, forms):
    make_user(app, "Leaver", password=PASSWORD)
    log_in_remembered(forms, "Leaver")
    session_copy = copy_of(app, forms, "session")
    remember_copy = copy_of(app, forms, "remember_token")
    assert signed_in(session_copy) and signed_in(remember_copy)
    assert forms.logout().status_code == 302
    assert not signed_in(forms)
    assert not signed_in(session_copy)
    assert not signed_in(remember_copy)


def test_log_out_everywhere_ends_every_session(app, new_forms):
    make_user(app, "Many Devices", password=PASSWORD)
    phone, laptop = new_forms(), new_forms()
    phone.login("Many Devices")
    log_in_remembered(laptop, "Many Devices")
    laptop_copy = copy_of(app, laptop, "remember_token")
    page = phone.get("/account").get_data(as_text=True)
    assert "signed in on 2 devices" in page
    response = phone.submit("/account", {}, action="/account/log-out-everywhere")
    assert response.status_code == 302
    assert not signed_in(phone) and not signed_in(laptop) and not signed_in(laptop_copy)


def test_a_password_change_ends_every_other_session_and_cookie(app, new_forms):
    make_user(app, "Changer", password=PASSWORD)
    here, elsewhere = new_forms(), new_forms()
    here.login("Changer")
    log_in_remembered(elsewhere, "Changer")
    stolen = copy_of(app, here, "session")
    new_password = "a new long password"
    response = here.submit(
        "/account/password",
        {"current": PASSWORD, "password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere) and not signed_in(stolen)


def test_recovery_ends_every_session(app, new_forms):
    owner = new_forms()
    page = owner.signup("Forgets Often").get_data(as_text=True)
    code = CODE.findall(page)[0]
    assert signed_in(owner)
    stranger = new_forms()
    new_password = "a brand new password"
    response = stranger.submit(
        "/recover",
        {
            "pseudonym": "Forgets Often",
            "code": code,
            "password": new_password,
            "confirm": new_password,
        },
    )
    assert response.status_code == 302
    assert not signed_in(owner)
    assert stranger.login("Forgets Often", new_password).status_code == 302


def test_sessions_expire_on_the_server(app, forms):
    make_user(app, "Sleeper", password=PASSWORD)
    log_in_remembered(forms, "Sleeper")
    assert signed_in(forms)
    from forum.data.member_sessions import MemberSession

    with app.app_context():
        for row in db.session.scalars(select(MemberSession)):
            row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert not signed_in(forms)


def test_the_database_holds_no_session_key_as_it_is(app, forms):
    make_user(app, "Hashed Session", password=PASSWORD)
    forms.login("Hashed Session")
    from forum.data.member_sessions import MemberSession

    key = forms.client.application.session_interface.get_signing_serializer(app).loads(
        forms.client.get_cookie("session").value
    )["_user_id"]
    with app.app_context():
        stored = db.session.scalars(select(MemberSession.token_hash)).all()
    assert len(stored) == 1 and key not in stored[0]
    assert stored[0] == hashlib.sha256(key.encode()).hexdigest()


# --- guessing passwords does not lock the owner out -------------------------------------


def test_guessing_from_one_address_does_not_lock_the_owner_out(limited_app):
    app = limited_app
    make_user(app, "Owner", password=PASSWORD)
    phone = client_from(app, "198.51.100.10")
    assert phone.login("Owner").status_code == 302  # this phone has signed in as Owner
    phone.logout()
    attacker = client_from(app, "203.0.113.66")
    codes = [attacker.login("Owner", f"guess {n}").status_code for n in range(12)]
    assert codes.count(200) == 9 and codes[-3:] == [429] * 3  # the owner's log-in counted too
    assert attacker.login("Owner").status_code == 429  # the right password, from elsewhere
    # the owner's phone, on another network now, signs in as usual
    phone.client.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    assert phone.login("Owner").status_code == 302


def test_a_known_device_for_one_member_proves_nothing_for_another(limited_app):
    app = limited_app
    make_user(app, "First", password=PASSWORD)
    make_user(app, "Second", password=PASSWORD)
    shared = client_from(app, "198.51.100.20")
    assert shared.login("First").status_code == 302
    shared.logout()
    codes = [shared.login("Second", f"guess {n}").status_code for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_a_known_device_still_gets_only_ten_guesses(limited_app):
    app = limited_app
    make_user(app, "Careful", password=PASSWORD)
    device = client_from(app, "198.51.100.30")
    assert device.login("Careful").status_code == 302
    device.logout()
    codes = [device.login("Careful", f"guess {n}").status_code for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert device.login("Careful").status_code == 429


def test_the_device_cookie_names_nobody(app, forms):
    make_user(app, "Quiet Owner", password=PASSWORD)
    forms.login("Quiet Owner")
    with app.app_context():
        user_id = db.session.scalar(select(User.id))
    value = forms.client.get_cookie("harbor_device", path="/login").value
    assert "quiet" not in value.lower() and str(user_id) not in value.split(".")


# --- log-in timing ------------------------------------------------------------------------


def scrypt_calls(monkeypatch, action) -> list[tuple]:  # noqa: ANN001
    calls = []
    real = hashlib.scrypt

    def counting(password, *, salt, n, r, p, maxmem=0, dklen=64):  # noqa: ANN001, ANN202
        calls.append((n, r, p, dklen))
        return real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    action()
    monkeypatch.setattr(hashlib, "scrypt", real)
    return calls


def test_log_in_does_the_same_scrypt_work_for_a_missing_pseudonym(app, forms, monkeypatch):
    make_user(app, "Exists", password=PASSWORD)
    forms.login("Nobody", "a wrong password")  # any one-off set-up happens before counting
    known = scrypt_calls(monkeypatch, lambda: forms.login("Exists", "a wrong password"))
    unknown = scrypt_calls(monkeypatch, lambda: forms.login("Nobody", "a wrong password"))
    assert known and known == unknown


def test_log_in_takes_as_long_for_a_missing_pseudonym(app, forms):
    make_user(app, "Timed", password=PASSWORD)
    token = forms.token("/login")

    def attempt(pseudonym: str) -> float:
        started = time.perf_counter()
        forms.client.post(
            "/login", data={"csrf_token": token, "pseudonym": pseudonym, "password": "wrong one"}
        )
        return time.perf_counter() - started

    attempt("Nobody")
    known, unknown = [], []
    for _ in range(5):
        known.append(attempt("Timed"))
        unknown.append(attempt("Nobody"))
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 1 / 3 < ratio < 3, (known, unknown)


# --- sign-up keeps the recovery codes out of cookies -----------------------------------


def cookie_payloads(app, response) -> list[str]:
    """Every cookie the response sets, decoded where it is Flask's signed session."""
    serializer = app.session_interface.get_signing_serializer(app)
    payloads = []
    for header in response.headers.getlist("Set-Cookie"):
        value = header.split(";", 1)[0].split("=", 1)[1]
        payloads.append(value)
        if header.startswith(f"{app.config['SESSION_COOKIE_NAME']}="):
            payloads.append(json.dumps(serializer.loads(value)))
    return payloads


def test_sign_up_shows_the_codes_without_putting_them_in_a_cookie(app, forms):
    response = forms.signup("Code Keeper")
    page = response.get_data(as_text=True)
    codes = CODE.findall(page)
    assert response.status_code == 200 and len(codes) == 8
    assert "no-store" in response.headers["Cache-Control"]
    payloads = " ".join(cookie_payloads(app, response))
    for code in codes:
        assert code not in payloads and code.replace("-", "") not in payloads
    assert signed_in(forms)


def test_new_recovery_codes_are_shown_without_a_cookie(app, forms):
    forms.signup("Code Renewer")
    response = forms.submit("/account", {}, action="/account/recovery-codes/new")
    codes = CODE.findall(response.get_data(as_text=True))
    assert response.status_code == 200 and len(codes) == 8
    payloads = " ".join(cookie_payloads(app, response))
    assert not any(code in payloads for code in codes)


def test_wrong_recovery_codes_from_elsewhere_do_not_lock_the_owner_out(limited_app):
    app = limited_app
    owner = client_from(app, "198.51.100.30")
    code = CODE.findall(owner.signup("Loses Things").get_data(as_text=True))[0]
    owner.logout()

    def recover(client: FormClient, with_code: str):  # noqa: ANN202
        password = "a brand new password"
        form = {"pseudonym": "Loses Things", "code": with_code, "password": password}
        return client.submit("/recover", {**form, "confirm": password})

    attacker = client_from(app, "203.0.113.77")
    codes = [recover(attacker, f"0000-0000-{n:04x}").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]  # one address gets five tries at this pseudonym
    response = recover(owner, code)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")

"""What a member writes for themselves, sealed at rest: AES-GCM under a key of their own.

Each account's key is derived with HKDF-SHA256 from the server's journal secret
(HARBOR_JOURNAL_SECRET, by default the SECRET_KEY) and a random salt kept on the account's
practice profile; the account id and the purpose ("journal", "reasons"...) are bound in as
associated data, so a sealed value moved to another row or account no longer opens.

This protects the words from anyone who has the database but not the secret: a copied
database file, a backup or dump, a read-only SQL hole. It does not protect them from someone
who has both the database and the server's secret (the operator, or whoever takes over the
server), and it leaves dates, moods and craving numbers readable. Losing or changing the
secret makes every sealed value unreadable: that is the point of it.
"""

import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from forum.extensions import db
from forum.practice.models import PracticeProfile

VERSION = b"\x01"
NONCE_BYTES = 12
SALT_BYTES = 16


class Unreadable(Exception):
    """A sealed value that does not open: the secret changed, or the value was tampered with."""


def profile_for_writing(user_id: int) -> PracticeProfile:
    """The member's profile, made (with its random salt) the first time they save something."""
    profile = db.session.get(PracticeProfile, user_id)
    if profile is None:
        profile = PracticeProfile(user_id=user_id, key_salt=secrets.token_bytes(SALT_BYTES))
        db.session.add(profile)
    return profile


def _key(profile: PracticeProfile) -> AESGCM:
    secret = current_app.config.get("HARBOR_JOURNAL_SECRET") or current_app.config["SECRET_KEY"]
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=profile.key_salt,
        info=f"harbor practice v1 account {profile.user_id}".encode(),
    ).derive(secret.encode())
    return AESGCM(derived)


def _associated(profile: PracticeProfile, purpose: str) -> bytes:
    return f"{purpose}:{profile.user_id}".encode()


def seal(profile: PracticeProfile, purpose: str, plain: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _key(profile).encrypt(nonce, plain.encode(), _associated(profile, purpose))
    return VERSION + nonce + sealed


def unseal(profile: PracticeProfile, purpose: str, sealed: bytes) -> str:
    if not sealed.startswith(VERSION):
        raise Unreadable("sealed with an unknown version")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return _key(profile).decrypt(nonce, body, _associated(profile, purpose)).decode()
    except InvalidTag as error:
        raise Unreadable("the key does not open it") from error


def unseal_or_note(profile: PracticeProfile | None, purpose: str, sealed: bytes | None) -> str:
    """For pages: the words, or a plain note when they can't be read (never an error page)."""
    if sealed is None:
        return ""
    if profile is None:
        return "(These words can't be read: their key is missing.)"
    try:
        return unseal(profile, purpose, sealed)
    except Unreadable:
        return "(These words can't be read with this server's secret.)"

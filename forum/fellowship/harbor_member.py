"""Harbor's own member: the author of the daily threads, which nobody can sign up as or log in as.

Its key holds a "~", which no pseudonym may contain, so no member's key can collide with it;
its shown name, "Harbor", is reserved at sign-up so nobody can pass for it.
"""

import secrets

from sqlalchemy import select

from forum.data.models import User
from forum.extensions import db

HARBOR_MEMBER_KEY = "~harbor"
HARBOR_MEMBER_NAME = "Harbor"
RESERVED_PSEUDONYM_KEYS = frozenset({"harbor"})


def harbor_member() -> User:
    """Harbor's own member, made on first use with a password nobody knows."""
    member = db.session.scalar(select(User).where(User.pseudonym_key == HARBOR_MEMBER_KEY))
    if member is None:
        member = User(pseudonym=HARBOR_MEMBER_NAME, pseudonym_key=HARBOR_MEMBER_KEY)
        member.set_password(secrets.token_urlsafe(32))
        db.session.add(member)
    return member

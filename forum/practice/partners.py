"""The accountability partner: a mentor or a member someone chooses, who must accept.

The partner sees one thing: whether the member checked in (made their pledge) today, in the
member's own day. Never the pledge's words, the review, how hard the day was, a slip, or a
streak. Either person can end it at any time; a member has one partner (or one request) at a
time.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.data.clock import utcnow
from forum.data.models import User
from forum.data.notifications import Notification
from forum.data.posting import PostingError
from forum.extensions import db
from forum.practice.models import AccountabilityPartner, PartnerStatus
from forum.practice.pledge import checked_in

OPEN = (PartnerStatus.REQUESTED, PartnerStatus.ACTIVE)
PARTNER_PAGE = "/partner"


def _notify(user_id: int, kind: str, subject: str, body: str) -> None:
    db.session.add(
        Notification(user_id=user_id, kind=kind, subject=subject, body=body, link=PARTNER_PAGE)
    )


def open_partnership_of(member: User) -> AccountabilityPartner | None:
    return db.session.scalar(
        select(AccountabilityPartner).where(
            AccountabilityPartner.member_id == member.id, AccountabilityPartner.status.in_(OPEN)
        )
    )


def ask(member: User, partner: User) -> AccountabilityPartner:
    """Ask `partner` to be the member's accountability partner (the caller commits)."""
    if partner.id == member.id:
        raise PostingError("You can't be your own accountability partner.", 400)
    if partner.is_suspended():
        raise PostingError(f"{partner.pseudonym} can't be asked just now.", 403)
    if open_partnership_of(member) is not None:
        raise PostingError(
            "You already have a partner, or a request waiting. End or withdraw it first.", 409
        )
    asked = AccountabilityPartner(member_id=member.id, partner_id=partner.id)
    db.session.add(asked)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same request sent twice at once
        db.session.rollback()
        raise PostingError("You already have a request waiting.", 409) from error
    _notify(
        partner.id,
        "partner_request",
        f"{member.pseudonym} would like you as their accountability partner",
        "You would see only whether they checked in each day, nothing else. Saying no is fine.",
    )
    return asked


def _answerable(asked: AccountabilityPartner, partner: User) -> None:
    if asked.partner_id != partner.id:
        raise PostingError("Only the person who was asked can answer.", 403)
    if asked.status != PartnerStatus.REQUESTED:
        raise PostingError("This request is no longer waiting for an answer.", 409)


def accept(asked: AccountabilityPartner, partner: User) -> None:
    _answerable(asked, partner)
    asked.status = PartnerStatus.ACTIVE
    asked.answered_at = utcnow()
    _notify(
        asked.member_id,
        "partner_accepted",
        f"{partner.pseudonym} is your accountability partner now",
        "They see only whether you checked in today. You can end it at any time.",
    )


def decline(asked: AccountabilityPartner, partner: User) -> None:
    _answerable(asked, partner)
    asked.status = PartnerStatus.DECLINED
    asked.answered_at = utcnow()
    _notify(
        asked.member_id,
        "partner_declined",
        f"{partner.pseudonym} can't be your accountability partner just now",
        "It is not about you. You can ask someone else.",
    )


def end(asked: AccountabilityPartner, user: User) -> None:
    if user.id not in (asked.member_id, asked.partner_id):
        raise PostingError("This is not your partnership.", 403)
    if asked.status not in OPEN:
        return
    asked.status = PartnerStatus.ENDED
    asked.ended_at = utcnow()


@dataclass(frozen=True)
class Supported:
    """What a partner sees of a member they support: a name and one yes or no."""

    partnership_id: int
    pseudonym: str
    checked_in_today: bool


def supported_by(partner: User) -> list[Supported]:
    rows = db.session.scalars(
        select(AccountabilityPartner)
        .where(
            AccountabilityPartner.partner_id == partner.id,
            AccountabilityPartner.status == PartnerStatus.ACTIVE,
        )
        .order_by(AccountabilityPartner.id)
    ).all()
    return [Supported(row.id, row.member.pseudonym, checked_in(row.member)) for row in rows]


def requests_for(partner: User) -> list[AccountabilityPartner]:
    return list(
        db.session.scalars(
            select(AccountabilityPartner)
            .where(
                AccountabilityPartner.partner_id == partner.id,
                AccountabilityPartner.status == PartnerStatus.REQUESTED,
            )
            .order_by(AccountabilityPartner.id)
        )
    )

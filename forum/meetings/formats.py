"""Meeting formats: what each kind of meeting is, the reading its chair posts at the start,
and the code of conduct every room opens with. The readings are Harbor's members' own words,
not any fellowship's copyrighted texts."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MeetingFormat:
    key: str
    name: str
    about: str  # one line for the schedule
    reading: str  # posted by the chair when the meeting opens


CODE_OF_CONDUCT = (
    "Code of conduct: we use first names or pseudonyms only, and we keep what is shared here, "
    "here. One person shares at a time: raise your hand and the chair will call you; write "
    "[done] (or press “I'm done”) when you finish. No cross-talk, advice or debate about "
    "someone else's share. Share about yourself, not others, and leave out anything that "
    "could identify anyone. You may always pass. If you are in danger, say so: the chair and "
    "Harbor's moderators will see it, and helplines are on every page."
)

FORMATS = {
    f.key: f
    for f in (
        MeetingFormat(
            "open_share",
            "Open share",
            "anyone may share on anything about their recovery",
            "Welcome. This is an open share meeting: whatever is on your mind about your "
            "recovery today is welcome here. Nobody has to have it figured out. We listen "
            "without fixing, and we keep coming back because it helps.",
        ),
        MeetingFormat(
            "step_study",
            "Step study",
            "we read and share on one step of a recovery programme",
            "Welcome to step study. Tonight the chair names a step and says in their own words "
            "what it has meant to them; then we share our own experience of working it, where "
            "we are with it, and what gets in the way. Every pace is the right pace.",
        ),
        MeetingFormat(
            "speaker",
            "Speaker",
            "one member tells their story; then we share what we heard",
            "Welcome. Tonight one of us tells their story: what it was like, what happened, "
            "and what it is like now. Afterwards, share what you identified with, not advice "
            "for the speaker.",
        ),
        MeetingFormat(
            "newcomers",
            "Newcomers",
            "for people in their first weeks; questions welcome",
            "Welcome, especially if this is one of your first meetings. You don't have to say "
            "anything: listening is taking part. If you want to ask how something works, "
            "raise your hand. Everyone here was new once.",
        ),
        MeetingFormat(
            "topic",
            "Topic of the day",
            "the chair picks a topic and we share on it",
            "Welcome. The chair will name today's topic in a moment. Share on it if it speaks "
            "to you, or on whatever you need to say today: the topic is an invitation, not a "
            "rule.",
        ),
    )
}

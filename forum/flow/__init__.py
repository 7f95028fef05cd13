"""The moderation flow: a submission's findings stored, scored, decided, queued and reviewed.

It applies what the `moderation` library decides; pages call it, and it never calls them.
"""

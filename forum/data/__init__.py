"""The data model: tables, and the writes that keep their counters and states consistent.

Nothing here reads a request: pages (forum.pages) and the moderation flow (forum.flow) call it.
"""

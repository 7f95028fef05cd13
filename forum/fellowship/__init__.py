"""Fellowship: milestones, the daily check-in, mentorship and a welcome for newcomers.

What makes a fellowship work is not only the meeting: the chip for 30 days, the daily
commitment, the mentor who answers, the welcome a newcomer gets.

- `models`: daily check-in threads, mentorships, private messages and their reports
- `milestones`: day counts and milestones from a start date (no Flask)
- `checkin`: the "Just for today" thread, opened once a day
- `mentorship`: who may mentor, requests, answers, and the pair's moderated messages
- `welcome`: newcomers' first posts
- `harbor_member`: Harbor's own member, the author of the daily threads
- `views`, `mentorship_views`, `forms`: the pages (the `fellowship` blueprint)
"""

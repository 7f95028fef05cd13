"""Daily practice: a private pledge and evening review, a craving SOS, a coping-tools library,
a private journal, and what kind of replies a writer wants.

The shared side of recovery lives in `forum.fellowship`; this package is the personal side,
what a member does alone each day. Nothing here is public unless it says so: a missed day or a
relapse never shows to anyone else.

- `models`: the tables (pledges, partners, SOS uses, journal entries, coping tools)
- `sealing`: journal and reasons encrypted at rest, a key per account
- `pledge`, `partners`: the pledge, its review, the streak, the accountability partner
- `sos`: the craving SOS, the "right now" board and the helpers who hear of it
- `journal`, `chart`: private entries and their server-rendered SVG chart
- `library`, `moderation`: coping tools, "this helped me", featuring; their review items
- `export`: this package's part of "My data"

The member's own day (`forum.data.local_time`) and the replies a topic's writer asks for
(`forum.data.support_wanted`) live with the data model, as other packages read them too.
- `views`, `forms`: the pages (the `practice` blueprint)
"""

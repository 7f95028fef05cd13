"""Online meetings: scheduled text meetings with a chair, held live in the browser.

- `models`: the tables (meetings, their hosts and bans, each time one is held, who came,
  the lines said)
- `formats`: the meeting formats, their readings and the code of conduct
- `schedule`: when a meeting next meets, in its own zone and in the reader's
- `broker`: carries a room's events between web processes (Redis pub/sub, or in-process)
- `room`: what happens in a room: joining, the waiting room, hands, shares, host actions,
  the end and the 7-day plan; every line through the moderation flow
- `stream`: the Server-Sent Events a room's page listens to, replayed from the database
- `views`, `forms`: the pages (the `meetings` blueprint); `review`: room lines in the queue
- `export`: this package's part of "My data"
"""

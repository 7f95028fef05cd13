"""What a room's event says, as it travels: a line published (its number and HTML), a change
of who is where, or the end. Encoded once by the process that made it, decoded once by each
process that hears it, and written to the streams as Server-Sent Events text made once."""

import json
from dataclasses import dataclass
from functools import cached_property

LINE, STATE, ENDED = "line", "state", "ended"


@dataclass(frozen=True)
class RoomEvent:
    kind: str
    seq: int = 0
    html: str = ""

    def encode(self) -> str:
        return json.dumps({"kind": self.kind, "seq": self.seq, "html": self.html})

    @classmethod
    def decode(cls, raw: str) -> "RoomEvent":
        data = json.loads(raw)
        return cls(data["kind"], data.get("seq", 0), data.get("html", ""))

    @cached_property
    def sse(self) -> str:
        """The event as a stream writes it (a line's number is its event id)."""
        if self.kind == LINE:
            return sse_line(self.seq, self.html)
        return f"event: {self.kind}\ndata: {{}}\n\n"


def sse_line(seq: int, html: str) -> str:
    data = "\n".join(f"data: {part}" for part in html.splitlines() or [""])
    return f"id: {seq}\nevent: {LINE}\n{data}\n\n"

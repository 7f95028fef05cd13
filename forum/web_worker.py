"""gunicorn's threaded worker, made safe from slow clients ("slowloris").

gunicorn's gthread worker hands a connection to a thread as soon as its first byte arrives,
and the thread then waits, blocking, for the rest of the request: six clients sending a header
byte every 2 s held every thread of the embedded default and nobody else was answered. Here
the worker's event loop collects each request's head (its request line and headers) without a
thread, as an async server does; a thread takes the connection only once the head is complete.
A connection whose head has not arrived within HARBOR_REQUEST_SECONDS is closed, and so is one
whose body takes longer than that again. A slow client then costs a socket, not a thread, and
threads only ever run requests that have arrived.

This leans on gunicorn's gthread internals (TConn, the poller, the parser's unreader), which
pyproject.toml pins to one major version; the tests serve real slow clients through it.
"""

import selectors
import socket
import time
from collections import deque
from functools import partial

from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import TConn, ThreadWorker

from forum.settings import Settings

#: how long a client has to send a request's head, and then its body (HARBOR_REQUEST_SECONDS)
REQUEST_SECONDS = Settings.from_environ().request_seconds
# a blank line ends the head (CRLF, or the bare LF some clients send)
ENDS_OF_HEAD = (b"\r\n\r\n", b"\n\n")
# gunicorn refuses a head larger than its request-line and header limits; stop reading there
HEAD_LIMIT = 64 * 1024


class DeadlineUnreader(SocketUnreader):
    """Reads a request no later than its connection's deadline; past it, the client counts
    as gone (gunicorn drops the connection, or the app sees a short body and answers 400)."""

    def __init__(self, conn: "DeadlineConn") -> None:
        super().__init__(conn.sock)
        self.conn = conn

    def chunk(self, size_hint: int | None = None) -> bytes:
        left = self.conn.deadline - time.monotonic()
        if left <= 0:
            return b""
        self.sock.settimeout(left)
        try:
            return super().chunk(size_hint)
        except TimeoutError:
            return b""
        finally:
            self.sock.settimeout(None)


class DeadlineConn(TConn):
    """A connection whose request (its head, then its body) must arrive by `deadline`."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.head = b""
        self.deadline = time.monotonic() + REQUEST_SECONDS

    def init(self) -> None:
        """gunicorn's set-up, reading through the deadline; the head gathered so far goes back
        in front of what the parser reads next."""
        fresh = not self.initialized
        super().init()
        if fresh:
            self.parser.unreader = DeadlineUnreader(self)
        self.parser.unreader.unread(self.head)
        self.head = b""


class SlowClientSafeWorker(ThreadWorker):
    """gthread, but a request's head is gathered by the event loop before a thread runs it."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.reading_heads: deque[DeadlineConn] = deque()

    def accept(self, listener: socket.socket) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return
        self.nr_conns += 1
        conn = DeadlineConn(self.cfg, client_sock, client_addr, listener.getsockname())
        self._read_head(conn)

    def handle(self, conn: DeadlineConn):  # noqa: ANN201
        """A thread runs a request whose head has arrived; its body has a deadline too."""
        conn.deadline = time.monotonic() + REQUEST_SECONDS
        return super().handle(conn)

    def on_client_socket_readable(self, conn: DeadlineConn, client: socket.socket) -> None:
        """A kept-alive connection's next request is gathered the same way."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        conn.deadline = time.monotonic() + REQUEST_SECONDS
        self._read_head(conn)

    def _read_head(self, conn: DeadlineConn) -> None:
        conn.sock.setblocking(False)
        self.reading_heads.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_head_bytes, conn))

    def _on_head_bytes(self, conn: DeadlineConn, client: socket.socket) -> None:
        try:
            data = client.recv(HEAD_LIMIT)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        conn.head += data
        if any(end in conn.head for end in ENDS_OF_HEAD) or len(conn.head) >= HEAD_LIMIT:
            self.poller.unregister(client)
            self.reading_heads.remove(conn)
            conn.data_ready = True
            self.enqueue_req(conn)

    def _drop(self, conn: DeadlineConn) -> None:
        self.poller.unregister(conn.sock)
        self.reading_heads.remove(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """gunicorn's clean-up of idle connections, and of heads not complete in time."""
        super().murder_pending()
        now = time.monotonic()
        while self.reading_heads and self.reading_heads[0].deadline <= now:
            self._drop(self.reading_heads[0])

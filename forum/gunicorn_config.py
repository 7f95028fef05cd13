"""gunicorn settings: `gunicorn -c python:forum.gunicorn_config wsgi:app`.

Harbor writes no IP address anywhere: the access log format leaves the client address (and the
query string, which holds search words) out, and every gunicorn log line passes through
forum.log_privacy's scrubber, which masks any address left in a message.
In the embedded default (no Redis) one process with threads serves, so the in-memory rate-limit
counts are shared by every request; with Redis configured, several processes share them.
"""

import gc

from gunicorn.glogging import Logger

from forum.log_privacy import keep_addresses_out_of_logs
from forum.settings import Settings

settings = Settings.from_environ()  # a bad HARBOR_ value stops gunicorn here, named

bind = settings.bind
workers = settings.gunicorn_workers
# gthread, with each request's head gathered by the event loop: slow clients hold no thread
worker_class = "forum.web_worker.SlowClientSafeWorker"
# a live meeting's stream (Server-Sent Events, forum/meetings/stream.py) holds its thread for
# as long as the page is open: those threads come on top of the ones that serve pages
threads = settings.web_threads + settings.meeting_streams
# connections a worker takes at once (gthread stops accepting past it): every thread's, and as
# many again waiting for a thread or kept alive
worker_connections = 2 * threads + 100
timeout = 30
graceful_timeout = 20
# Several workers: close each connection after its response. A gthread worker accepts every
# connection it is offered and keeps a kept-alive one for its life, so one worker can end up with
# most of a proxy's connections while another idles (measured: one worker at 100% of a core and
# the other at 2%, half the throughput); a new connection per request goes to a free worker.
# One worker has no one to share with, and keeps connections alive for browsers talking to it.
keepalive = 0 if workers > 1 else 5
accesslog = settings.access_log
# method, path, status, size, duration: no address (%(h)s, X-Forwarded-For), no user agent,
# and no query string, which holds what readers search for
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = settings.forwarded_allow_ips
# Harbor does not use gunicorn's run-time control socket (one fixed path per user by default)
control_socket_disable = True


class AddressFreeLogger(Logger):
    """gunicorn's logger, with IP addresses masked in every error and access line."""

    def setup(self, cfg) -> None:  # noqa: ANN001
        super().setup(cfg)
        keep_addresses_out_of_logs("gunicorn.error", "gunicorn.access")


logger_class = AddressFreeLogger


def post_worker_init(worker) -> None:  # noqa: ANN001
    """Start loading the model as the worker starts, so no request waits for it; then freeze
    what is loaded by now (modules, the app), so the garbage collector no longer walks it: a
    full collection otherwise pauses a request for a tenth of a second or more."""
    from forum.flow.runtime import start_background_scoring

    start_background_scoring(worker.app.wsgi())
    gc.freeze()

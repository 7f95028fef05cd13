"""Carrying a room's events to every page listening, in this process and in the others.

The database is where a room's lines live; the broker only tells the listening pages, at
once, that something happened. With Redis configured (HARBOR_REDIS_URL) an event is published
on the room's channel and each web process's one listener thread (a pattern subscription to
every room) hands it to the streams it serves; without Redis, the embedded default is one
process and the hand-over is in memory. A page that missed an event (Redis down, a
reconnection) asks the database for what followed the last line it saw (forum/meetings/stream.py).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Protocol

from flask import Flask, current_app

from forum.meetings.events import RoomEvent

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "harbor:meeting-room:"
# a stream that can't keep up is dropped from its room (it reconnects and replays)
BACKLOG = 1000


class Subscription:
    """One stream's events for one room, in the order they came."""

    def __init__(self, broker: LocalRooms, room: int) -> None:
        self.room = room
        self.events: queue.Queue[RoomEvent] = queue.Queue(BACKLOG)
        self._broker = broker
        self.overflowed = False

    def get(self, timeout: float) -> RoomEvent | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def put(self, event: RoomEvent) -> None:
        try:
            self.events.put_nowait(event)
        except queue.Full:
            self.overflowed = True

    def close(self) -> None:
        self._broker.forget(self)


class LocalRooms:
    """The streams this process serves, by room: the in-process broker, and the last step of
    the Redis one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[int, set[Subscription]] = {}

    def subscribe(self, room: int) -> Subscription:
        subscription = Subscription(self, room)
        with self._lock:
            self._rooms.setdefault(room, set()).add(subscription)
        return subscription

    def forget(self, subscription: Subscription) -> None:
        with self._lock:
            listeners = self._rooms.get(subscription.room, set())
            listeners.discard(subscription)
            if not listeners:
                self._rooms.pop(subscription.room, None)

    def deliver(self, room: int, raw: str) -> None:
        """Hand an event to this process's streams of the room, decoded once for all."""
        with self._lock:
            listeners = list(self._rooms.get(room, ()))
        if not listeners:
            return
        event = RoomEvent.decode(raw)
        _ = event.sse  # made once here, not once per stream
        for subscription in listeners:
            subscription.put(event)

    def publish(self, room: int, event: str) -> None:
        self.deliver(room, event)


class Broker(Protocol):
    def subscribe(self, room: int) -> Subscription: ...

    def publish(self, room: int, event: str) -> None: ...


class RedisRooms(LocalRooms):
    """Events through Redis pub/sub, so streams in every process hear every room."""

    def __init__(self, url: str) -> None:
        import redis

        super().__init__()
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        self._listener: threading.Thread | None = None
        self._started = threading.Lock()

    def subscribe(self, room: int) -> Subscription:
        with self._started:
            if self._listener is None:
                self._listener = threading.Thread(
                    target=self._listen, name="meeting-rooms", daemon=True
                )
                self._listener.start()
        return super().subscribe(room)

    def publish(self, room: int, event: str) -> None:
        try:
            self._redis.publish(f"{CHANNEL_PREFIX}{room}", event)
        except Exception:  # noqa: BLE001 - Redis down: this process's streams still hear it
            log.warning("meetings: Redis unreachable; the room's other processes catch up later")
            self.deliver(room, event)

    def _listen(self) -> None:
        """Deliver every room's events to this process's streams, reconnecting if Redis goes
        (logged once per outage; streams catch up from the database meanwhile)."""
        pause = 1.0
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                if pause > 1.0:
                    log.warning("meetings: the Redis subscription is back")
                pause = 1.0
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None or message["type"] != "pmessage":
                        continue
                    room = int(message["channel"].decode().removeprefix(CHANNEL_PREFIX))
                    self.deliver(room, message["data"].decode())
            except Exception:  # noqa: BLE001 - reconnect after a pause
                if pause == 1.0:
                    log.warning("meetings: lost the Redis subscription; retrying")
                time.sleep(pause)
                pause = min(pause * 2, 30.0)


def init_broker(app: Flask) -> None:
    url = app.config.get("HARBOR_REDIS_URL")
    app.extensions["harbor_meeting_rooms"] = RedisRooms(url) if url else LocalRooms()


def rooms() -> Broker:
    return current_app.extensions["harbor_meeting_rooms"]

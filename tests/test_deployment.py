"""Issue 6: running behind proxies, and gunicorn's production settings."""

import importlib

from tests.conftest import make_app


def searches_until_refused(client, address: str, limit: int = 31) -> int:  # noqa: ANN001
    """How many searches from `address` (as a proxy reports it) pass before a 429."""
    for attempt in range(1, limit + 1):
        response = client.get("/search?q=hope", headers={"X-Forwarded-For": address})
        if response.status_code == 429:
            return attempt - 1
    return limit


def test_behind_a_proxy_each_reader_has_their_own_limits(tmp_path, database):
    app = make_app(tmp_path, database, RATELIMIT_ENABLED=True, HARBOR_PROXY_HOPS=1)
    client = app.test_client()
    assert searches_until_refused(client, "198.51.100.7") == 30
    # another reader behind the same proxy is not refused for the first one's searches
    assert searches_until_refused(client, "203.0.113.9") == 30


def test_without_proxy_hops_a_forwarded_address_is_not_trusted(tmp_path, database):
    app = make_app(tmp_path, database, RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert searches_until_refused(client, "198.51.100.7") == 30
    # a made-up X-Forwarded-For does not buy a fresh allowance
    assert searches_until_refused(client, "203.0.113.9") == 0


def test_gunicorn_logs_no_address_and_no_query(monkeypatch):
    monkeypatch.setenv("HARBOR_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("HARBOR_WEB_WORKERS", raising=False)
    config = importlib.reload(importlib.import_module("forum.gunicorn_config"))
    assert "%(h)s" not in config.access_log_format and "forwarded" not in config.access_log_format
    assert "%(r)s" not in config.access_log_format and "%(q)s" not in config.access_log_format
    assert config.worker_class == "forum.web_worker.SlowClientSafeWorker" and config.timeout > 0
    assert config.workers >= 2  # with Redis the rate-limit counts are shared: several processes
    monkeypatch.delenv("HARBOR_REDIS_URL")
    assert importlib.reload(config).workers == 1  # in-process counts: one process

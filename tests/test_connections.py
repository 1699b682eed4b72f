"""The embedded Redis is a real redis-server that keeps its data across a restart."""

import redis

import connections


def test_embedded_redis_persists_across_a_restart(tmp_path):
    url = connections.start_embedded_redis(tmp_path)
    client = redis.Redis.from_url(url, decode_responses=True)
    assert "redis_version" in client.info("server")
    client.set("helpline:probe", "kept")
    connections.stop_embedded_redis(tmp_path)
    assert (tmp_path / "appendonlydir").exists() or (tmp_path / "appendonly.aof").exists()
    url_again = connections.start_embedded_redis(tmp_path)
    try:
        assert redis.Redis.from_url(url_again, decode_responses=True).get("helpline:probe") == "kept"
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    finally:
        connections.stop_embedded_redis(tmp_path)


def test_start_reuses_a_running_server(tmp_path):
    first = connections.start_embedded_redis(tmp_path, persist=False)
    try:
        pid = (tmp_path / "redis.pid").read_text()
        assert connections.start_embedded_redis(tmp_path, persist=False) == first
        assert (tmp_path / "redis.pid").read_text() == pid
    finally:
        connections.stop_embedded_redis(tmp_path)


def test_app_client_has_short_timeouts(settings):
    client = connections.make_redis(settings)
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == 0.5 and kwargs["socket_connect_timeout"] == 0.5
    assert client.ping()

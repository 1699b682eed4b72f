"""The embedded Redis is a real redis-server that keeps its data across a restart, is capped and
never evicts; the data folder and its files are private."""

import pytest
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


def test_the_embedded_redis_is_capped_and_never_evicts(tmp_path):
    from config import Settings

    url = connections.redis_url(Settings(data_dir=tmp_path, redis_maxmemory_mb=16))  # REDIS_MAXMEMORY_MB
    try:
        client = redis.Redis.from_url(url)
        assert client.config_get("maxmemory")["maxmemory"] == str(16 * 1024 * 1024)
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        written = 0
        with pytest.raises(redis.exceptions.OutOfMemoryError):  # full: writes are refused ...
            for written in range(1, 40):  # 39 MB: far past the cap
                client.set(f"helpline:filler:{written}", b"x" * 1024 * 1024)
        assert 5 < written < 17
        assert all(client.exists(f"helpline:filler:{n}") for n in range(1, written))  # ... nothing is evicted
    finally:
        connections.stop_embedded_redis(tmp_path)


def test_the_data_folder_is_private_0700_and_its_files_0600(tmp_path):
    import datetime as dt
    import stat

    from config import from_env
    from store import spool
    from workers.spool_replay import host_lock

    data = tmp_path / "data"
    settings = from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(data)})  # the local token
    spool.add(settings, requester="tag", now=dt.datetime(2026, 11, 22, 9, 0),  # the spool, and its WAL files
              request={"phone": "+447700900123", "channel": "voice", "source_sid": "CA1"})
    with host_lock(settings):  # the replay lock
        pass
    url = connections.start_embedded_redis(data, persist=True)  # the embedded Redis's files
    try:
        redis.Redis.from_url(url).set("helpline:probe", "on disk")
        found = {path.relative_to(data).as_posix(): path.lstat().st_mode for path in data.rglob("*")}
    finally:
        connections.stop_embedded_redis(data)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    names = set(found)
    assert {"dev-twilio-auth-token", "callback-spool.sqlite3", "spool-replay.lock", "redis.pid", "redis.log",
            "redis.sock"} <= names
    assert "appendonly.aof" in names or any(n.startswith("appendonlydir/") for n in names)
    for name, mode in found.items():
        if stat.S_ISREG(mode):
            assert stat.S_IMODE(mode) == 0o600, (name, oct(mode))
        elif stat.S_ISDIR(mode):
            assert stat.S_IMODE(mode) == 0o700, (name, oct(mode))
        else:  # the unix socket: only the service's user may connect
            assert stat.S_IMODE(mode) & 0o077 == 0, (name, oct(mode))

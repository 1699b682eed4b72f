"""Settings from the environment: defaults, production refusals, the development token."""

import datetime as dt

import pytest

from config import ConfigError, from_env


def test_local_mode_generates_one_development_token_and_reuses_it(tmp_path):
    first = from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path)})
    second = from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path)})
    assert len(first.twilio_auth_token) == 32
    assert first.twilio_auth_token == second.twilio_auth_token
    assert (tmp_path / "dev-twilio-auth-token").stat().st_mode & 0o077 == 0
    assert first.twilio_token_generated and not first.has_twilio_credentials


@pytest.mark.parametrize("missing", ["TWILIO_AUTH_TOKEN", "SECRET_KEY", "PUBLIC_BASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_essentials(tmp_path, missing):
    env = {"HELPLINE_ENV": "production", "DATA_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "t",
           "SECRET_KEY": "s", "PUBLIC_BASE_URL": "https://x.example.org", "REDIS_URL": "redis://r:6379/0"}
    env[missing] = ""
    with pytest.raises(ConfigError, match=missing):
        from_env(env)
    assert not (tmp_path / "dev-twilio-auth-token").exists()


def test_production_with_credentials_uses_twilio(tmp_path):
    s = from_env({"HELPLINE_ENV": "production", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t",
                  "SECRET_KEY": "s", "PUBLIC_BASE_URL": "https://x.example.org/", "REDIS_URL": "redis://r:6379/0",
                  "DATA_DIR": str(tmp_path)})
    assert s.has_twilio_credentials
    assert s.public_base_url == "https://x.example.org"
    assert not s.is_local


def test_helpline_now_and_numbers(tmp_path):
    s = from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path), "HELPLINE_NOW": "2026-11-23T11:00", "CALLBACKS_PER_DAY": "7"})
    assert s.helpline_now == dt.datetime(2026, 11, 23, 11, 0)
    assert s.callbacks_per_day == 7
    assert s.helpline_e164 == "+441225394382"
    assert s.key("callback", 42) == "helpline:callback:42"


@pytest.mark.parametrize("name,value", [("HELPLINE_NOW", "next tuesday"), ("CALLBACKS_PER_DAY", "lots"),
                                        ("SEND_WINDOW_START", "9am"), ("HELPLINE_ENV", "staging")])
def test_bad_values_are_refused_with_the_variable_named(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path), name: value})


def test_with_helpline_env_unset_the_service_is_production_and_refuses_to_start(tmp_path):
    # The attack: a server started without HELPLINE_ENV ran in local mode (simulated clock, derived secret).
    with pytest.raises(ConfigError, match="production mode needs"):
        from_env({"DATA_DIR": str(tmp_path)}, argv=["gunicorn", "app:create_app()"])
    assert not (tmp_path / "dev-twilio-auth-token").exists()


def test_the_simulator_command_is_local_unless_told_otherwise(tmp_path):
    assert from_env({"DATA_DIR": str(tmp_path)}, argv=["/x/.venv/bin/flask", "phone", "call"]).is_local
    with pytest.raises(ConfigError):
        from_env({"DATA_DIR": str(tmp_path)}, argv=["/x/.venv/bin/flask", "staff", "add", "sam"])
    with pytest.raises(ConfigError):
        from_env({"DATA_DIR": str(tmp_path), "HELPLINE_ENV": "production"}, argv=["flask", "phone", "call"])
    # flask's own options before the command do not hide it; an app named "phone" is not the command
    assert from_env({"DATA_DIR": str(tmp_path)}, argv=["flask", "--app", "app", "phone", "text", "hi"]).is_local
    assert from_env({"DATA_DIR": str(tmp_path)}, argv=["flask", "--debug", "-A", "app", "phone", "call"]).is_local
    with pytest.raises(ConfigError):
        from_env({"DATA_DIR": str(tmp_path)}, argv=["flask", "--app", "phone", "staff", "add", "sam"])


def test_every_web_process_replays_the_spool_every_15_seconds_unless_told(tmp_path):
    base = {"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path)}
    assert from_env(base).spool_replay_seconds == 15
    assert from_env({**base, "SPOOL_REPLAY_SECONDS": "0"}).spool_replay_seconds == 0
    with pytest.raises(ConfigError, match="SPOOL_REPLAY_SECONDS"):
        from_env({**base, "SPOOL_REPLAY_SECONDS": "-1"})


def test_the_staff_password_cost_can_be_lowered_only_in_local_mode(tmp_path):
    base = {"DATA_DIR": str(tmp_path), "STAFF_PASSWORD_ITERATIONS": "1000"}
    assert from_env({**base, "HELPLINE_ENV": "local"}).staff_password_iterations == 1000
    production = {**base, "HELPLINE_ENV": "production", "TWILIO_AUTH_TOKEN": "t" * 32, "SECRET_KEY": "s" * 32,
                  "PUBLIC_BASE_URL": "https://helpline.example.org", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    with pytest.raises(ConfigError, match="STAFF_PASSWORD_ITERATIONS"):
        from_env(production)
    assert from_env({**production, "STAFF_PASSWORD_ITERATIONS": ""}).staff_password_iterations == 600_000

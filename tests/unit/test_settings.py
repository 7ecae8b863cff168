"""Settings come from PORTAL_* variables, with embedded defaults and a strict production mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.settings import GIB, Environment, SettingsError, load_settings

S3_VARS = {
    "PORTAL_S3_ENDPOINT": "minio.internal:9000",
    "PORTAL_S3_ACCESS_KEY": "portal",
    "PORTAL_S3_SECRET_KEY": "s3cret-value",
    "PORTAL_S3_BUCKET": "documents",
}


def test_nothing_set_gives_the_embedded_default() -> None:
    settings = load_settings({})
    assert settings.env is Environment.DEVELOPMENT
    assert settings.data_dir == Path("var").absolute()
    assert settings.database_url is None
    assert settings.s3 is None
    assert settings.sqlite_path == settings.data_dir / "portal.sqlite3"
    assert settings.effective_master_key_file == settings.data_dir / "master.key"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.max_upload_bytes == 2 * GIB
    assert settings.vog_max_age_days is None


def test_hardening_defaults_limit_headers_and_refused_tokens_and_trust_no_proxy() -> None:
    settings = load_settings({})
    assert settings.max_header_bytes == 8192
    assert (
        settings.login_failure_window_seconds,
        settings.login_failures_recorded,
        settings.login_failures_block_after,
        settings.login_block_seconds,
    ) == (60, 5, 20, 300)
    assert settings.trusted_proxies == ()
    assert settings.health_token is None


def test_trusted_proxies_and_the_health_token_can_be_set(tmp_path: Path) -> None:
    token_file = tmp_path / "health-token"
    token_file.write_text("operator-only\n")
    settings = load_settings(
        {
            "PORTAL_TRUSTED_PROXIES": " 10.0.0.5 , 10.1.0.0/16,",
            "PORTAL_HEALTH_TOKEN_FILE": str(token_file),
        }
    )
    assert settings.trusted_proxies == ("10.0.0.5", "10.1.0.0/16")
    assert settings.health_token is not None
    assert settings.health_token.value == "operator-only"
    assert "operator-only" not in repr(settings)


def test_art13_3_the_age_of_a_vog_may_be_bounded() -> None:
    assert load_settings({"PORTAL_VOG_MAX_AGE_DAYS": "1095"}).vog_max_age_days == 1095


def test_data_dir_host_port_and_limit_are_overridable(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_HOST": "192.0.2.10",
            "PORTAL_PORT": "9000",
            "PORTAL_MAX_UPLOAD_BYTES": "1024",
        }
    )
    assert settings.data_dir == tmp_path
    assert settings.gnupg_home == tmp_path / "gnupg"
    assert (settings.host, settings.port, settings.max_upload_bytes) == ("192.0.2.10", 9000, 1024)


def test_database_url_selects_postgresql() -> None:
    settings = load_settings({"PORTAL_DATABASE_URL": "postgresql://portal@db/portal"})
    assert settings.database_url == "postgresql://portal@db/portal"
    assert "PostgreSQL" in settings.describe()


def test_a_database_url_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(SettingsError, match="postgresql://"):
        load_settings({"PORTAL_DATABASE_URL": "mysql://db/portal"})


def test_s3_endpoint_selects_the_object_store_and_tls_defaults_on() -> None:
    settings = load_settings(S3_VARS)
    assert settings.s3 is not None
    assert settings.s3.endpoint == "minio.internal:9000"
    assert settings.s3.bucket == "documents"
    assert settings.s3.secure is True
    assert "s3cret-value" not in repr(settings)


def test_s3_tls_flag_can_be_turned_off() -> None:
    settings = load_settings({**S3_VARS, "PORTAL_S3_SECURE": "false"})
    assert settings.s3 is not None
    assert settings.s3.secure is False


def test_s3_endpoint_without_credentials_names_what_is_missing() -> None:
    with pytest.raises(SettingsError, match="PORTAL_S3_ACCESS_KEY, PORTAL_S3_SECRET_KEY"):
        load_settings({"PORTAL_S3_ENDPOINT": "minio:9000", "PORTAL_S3_BUCKET": "b"})


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret_file = tmp_path / "s3-secret"
    secret_file.write_text("from-a-file\n")
    settings = load_settings(
        {
            **{k: v for k, v in S3_VARS.items() if k != "PORTAL_S3_SECRET_KEY"},
            "PORTAL_S3_SECRET_KEY_FILE": str(secret_file),
        }
    )
    assert settings.s3 is not None
    assert settings.s3.secret_key == "from-a-file"


def test_a_secret_given_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not both"):
        load_settings(
            {
                "PORTAL_DATABASE_URL": "postgresql://a/b",
                "PORTAL_DATABASE_URL_FILE": str(tmp_path / "x"),
            }
        )


def test_an_unreadable_secret_file_is_reported() -> None:
    with pytest.raises(SettingsError, match="PORTAL_DATABASE_URL_FILE=/nonexistent"):
        load_settings({"PORTAL_DATABASE_URL_FILE": "/nonexistent/db-url"})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORTAL_ENV", "staging", "PORTAL_ENV must be one of"),
        ("PORTAL_PORT", "eighty", "PORTAL_PORT must be a whole number"),
        ("PORTAL_MAX_UPLOAD_BYTES", "-5", "must be positive"),
        ("PORTAL_S3_SECURE", "maybe", "true or false"),
        ("PORTAL_VOG_MAX_AGE_DAYS", "0", "must be positive"),
        ("PORTAL_VOG_MAX_AGE_DAYS", "a year", "PORTAL_VOG_MAX_AGE_DAYS must be a whole number"),
        ("PORTAL_MAX_HEADER_BYTES", "0", "must be positive"),
        ("PORTAL_TRUSTED_PROXIES", "10.0.0.1,proxy.internal", "'proxy.internal'"),
        ("PORTAL_LOGIN_FAILURES_BLOCK_AFTER", "5", "must be larger than"),
    ],
)
def test_malformed_values_are_refused_with_their_name(name: str, value: str, message: str) -> None:
    environ = {**S3_VARS, name: value} if name == "PORTAL_S3_SECURE" else {name: value}
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_production_refuses_to_start_without_key_database_and_store() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"PORTAL_ENV": "production"})
    message = str(refused.value)
    assert "PORTAL_MASTER_KEY_FILE" in message
    assert "PORTAL_DATABASE_URL" in message
    assert "PORTAL_S3_ENDPOINT" in message


def test_production_names_only_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(
            {
                "PORTAL_ENV": "production",
                "PORTAL_MASTER_KEY_FILE": str(tmp_path / "master.key"),
                "PORTAL_DATABASE_URL": "postgresql://portal@db/portal",
            }
        )
    message = str(refused.value)
    assert "PORTAL_S3_ENDPOINT" in message
    assert "PORTAL_MASTER_KEY_FILE" not in message
    assert "PORTAL_DATABASE_URL" not in message


def test_production_with_everything_explicit_loads(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **S3_VARS,
            "PORTAL_ENV": "production",
            "PORTAL_MASTER_KEY_FILE": str(tmp_path / "master.key"),
            "PORTAL_DATABASE_URL": "postgresql://portal@db/portal",
            "PORTAL_AUDIT_WORM_BUCKET": "audit-checkpoints",
        }
    )
    assert settings.is_production
    assert settings.effective_master_key_file == tmp_path / "master.key"


def test_audit_checkpoints_default_to_every_100_records_or_60_s_copied_to_a_directory() -> None:
    settings = load_settings({})
    assert (settings.audit_checkpoint_records, settings.audit_checkpoint_seconds) == (100, 60)
    assert settings.audit_worm_bucket is None
    assert settings.audit_worm_dir == settings.data_dir / "audit-worm"
    assert settings.audit_worm_retention_days == 1827


def test_the_old_checkpoint_interval_setting_still_sets_the_interval() -> None:
    settings = load_settings(
        {"PORTAL_AUDIT_CHECKPOINT_SECONDS": "3600", "PORTAL_AUDIT_CHECKPOINT_RECORDS": "7"}
    )
    assert (settings.audit_checkpoint_records, settings.audit_checkpoint_seconds) == (7, 3600)


def test_production_refuses_to_start_without_a_worm_bucket(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="PORTAL_AUDIT_WORM_BUCKET") as refused:
        load_settings(
            {
                **S3_VARS,
                "PORTAL_ENV": "production",
                "PORTAL_MASTER_KEY_FILE": str(tmp_path / "master.key"),
                "PORTAL_DATABASE_URL": "postgresql://portal@db/portal",
            }
        )
    assert "PORTAL_S3_ENDPOINT" not in str(refused.value)


@pytest.mark.parametrize(
    "environ",
    [
        pytest.param({"PORTAL_AUDIT_WORM_BUCKET": "audit"}, id="without-s3"),
        pytest.param(
            {**S3_VARS, "PORTAL_AUDIT_WORM_BUCKET": S3_VARS["PORTAL_S3_BUCKET"]},
            id="the-documents-bucket",
        ),
    ],
)
def test_a_worm_bucket_needs_s3_and_a_bucket_of_its_own(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="PORTAL_AUDIT_WORM_BUCKET needs"):
        load_settings(environ)


def test_web_sign_in_defaults_suit_the_embedded_default_over_http() -> None:
    settings = load_settings({})
    assert settings.cookie_secure is False
    assert (settings.session_idle_minutes, settings.session_max_hours) == (15, 8)
    assert (settings.signin_slow_after, settings.signin_lock_after) == (3, 5)
    assert settings.signin_lock_minutes == 15
    assert settings.enrolment_link_hours == 72
    assert settings.public_url == "http://127.0.0.1:8000"
    assert (settings.theme_css, settings.theme_class) == (None, "rto-theme")


def test_production_cookies_are_secure_and_may_not_be_made_insecure(tmp_path: Path) -> None:
    key = tmp_path / "master.key"
    key.write_text("00" * 32)
    production = {
        "PORTAL_ENV": "production",
        "PORTAL_MASTER_KEY_FILE": str(key),
        "PORTAL_DATABASE_URL": "postgresql://portal@db/portal",
        "PORTAL_AUDIT_WORM_BUCKET": "audit-checkpoints",
        **S3_VARS,
    }
    assert load_settings(production).cookie_secure is True
    with pytest.raises(SettingsError, match="PORTAL_COOKIE_SECURE"):
        load_settings({**production, "PORTAL_COOKIE_SECURE": "false"})


def test_a_zvh_theme_must_exist_and_its_class_be_a_class_name(tmp_path: Path) -> None:
    theme = tmp_path / "venlo.css"
    theme.write_text(".venlo-theme { --utrecht-document-color: #222; }")
    settings = load_settings({"PORTAL_THEME_CSS": str(theme), "PORTAL_THEME_CLASS": "venlo-theme"})
    assert (settings.theme_css, settings.theme_class) == (theme, "venlo-theme")
    with pytest.raises(SettingsError, match="PORTAL_THEME_CSS"):
        load_settings({"PORTAL_THEME_CSS": str(tmp_path / "missing.css")})
    with pytest.raises(SettingsError, match="PORTAL_THEME_CLASS"):
        load_settings({"PORTAL_THEME_CLASS": 'x" onload="y'})


def test_the_public_url_follows_host_and_port_unless_set() -> None:
    assert load_settings({"PORTAL_PORT": "9000"}).public_url == "http://127.0.0.1:9000"
    assert (
        load_settings({"PORTAL_PUBLIC_URL": "https://rto.example.nl/"}).public_url
        == "https://rto.example.nl"
    )
    with pytest.raises(SettingsError, match="PORTAL_PUBLIC_URL"):
        load_settings({"PORTAL_PUBLIC_URL": "rto.example.nl"})


def test_the_lock_comes_after_the_slowing_down() -> None:
    with pytest.raises(SettingsError, match="PORTAL_SIGNIN_LOCK_AFTER"):
        load_settings({"PORTAL_SIGNIN_SLOW_AFTER": "5", "PORTAL_SIGNIN_LOCK_AFTER": "5"})


def test_art11_2c_each_process_sweeps_hourly_and_forgets_destroyed_keys_every_minute() -> None:
    settings = load_settings({})
    assert (settings.retention_sweep_seconds, settings.key_cache_sweep_seconds) == (3600, 60)


@pytest.mark.parametrize(("raw", "expected"), [("off", None), ("OFF", None), ("5", 5), ("", 3600)])
def test_the_scheduled_sweep_takes_an_interval_or_off(raw: str, expected: int | None) -> None:
    settings = load_settings({"PORTAL_RETENTION_SWEEP_SECONDS": raw})
    assert settings.retention_sweep_seconds == expected


@pytest.mark.parametrize("raw", ["0", "-1", "hourly"])
def test_the_scheduled_sweep_refuses_a_nonsense_interval(raw: str) -> None:
    with pytest.raises(SettingsError, match="PORTAL_RETENTION_SWEEP_SECONDS"):
        load_settings({"PORTAL_RETENTION_SWEEP_SECONDS": raw})

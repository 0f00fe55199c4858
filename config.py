"""Settings, read from the environment in one place.

Every setting has a default that works on one machine (`make run`): SQLite under
`var/`, a private redis-server, SMS printed to the console. The README lists them all.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("VAR_DIR", ROOT / "var"))


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw else default


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name).lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


class Config:
    """Production-shaped settings; every value can be overridden by the environment."""

    # Without SECRET_KEY, one is made and kept under var/ (not for tests: they write nothing there).
    keeps_dev_secret = True

    def __init__(self) -> None:
        # Core and store
        self.SECRET_KEY = _env("SECRET_KEY") or (_dev_secret() if self.keeps_dev_secret else "")
        self.DATABASE_URL = _env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tracuu.db'}"
        self.REDIS_URL = _env("REDIS_URL", "redis://127.0.0.1:6379/0")
        # Instead of REDIS_URL: the primary that these Sentinels name (redis_connections.py).
        self.REDIS_SENTINELS = _env("REDIS_SENTINELS")
        self.REDIS_SENTINEL_MASTER = _env("REDIS_SENTINEL_MASTER")
        self.REDIS_PASSWORD = _env("REDIS_PASSWORD")
        self.METRICS_TOKEN = _env("METRICS_TOKEN")
        self.PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        self.DEFAULT_LANGUAGE = _env("DEFAULT_LANGUAGE", "vi")
        self.MAX_CONTENT_LENGTH = _env_int("MAX_REQUEST_BYTES", 64 * 1024)
        self.TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
        self.LOOKUP_RATE_LIMIT = _env("LOOKUP_RATE_LIMIT", "30/minute;300/hour")
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.PIN_LENGTH = _env_int("PIN_LENGTH", 6)
        # Dossiers finished in the last 12 months before a procedure's expected completion at
        # an office is shown (lookup.expected).
        self.EXPECTED_MIN_SAMPLES = _env_int("EXPECTED_MIN_SAMPLES", 20)
        if not 6 <= self.PIN_LENGTH <= 12:
            raise ValueError(f"PIN_LENGTH={self.PIN_LENGTH}: a lookup PIN has 6 to 12 digits")
        # Wrong PINs for one dossier within an hour, from anywhere, before PINs stop opening it.
        self.PIN_FAILURES_PER_DOSSIER = _env_int("PIN_FAILURES_PER_DOSSIER", 10)
        # How long an ingest write waits for the database before answering 503 busy.
        self.DB_WRITE_TIMEOUT_SECONDS = _env_int("DB_WRITE_TIMEOUT_SECONDS", 5)
        # The demo dossiers go only into the embedded default database, unless DEMO says otherwise.
        self.DEMO = _env_bool("DEMO", not _env("DATABASE_URL"))

        # How citizens reach us, shown on pages and in help texts
        self.SMS_SHORT_NUMBER = _env("SMS_SHORT_NUMBER", "8077")
        self.HOTLINE_NUMBER = _env("HOTLINE_NUMBER", "1900 0000")

        # SMS channel
        self.SMS_SENDER = _env("SMS_SENDER", "console")
        self.SMS_DIACRITICS = _env_bool("SMS_DIACRITICS", False)
        self.SMS_RATE_LIMIT = _env("SMS_RATE_LIMIT", "20/hour")
        self.SMS_REPLY_LIMIT = _env("SMS_REPLY_LIMIT", "100/hour")
        self.SMS_RATE_PER_SECOND = _env_int("SMS_RATE_PER_SECOND", 30)
        self.TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID")
        self.TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN")
        self.TWILIO_FROM = _env("TWILIO_FROM")
        self.TWILIO_API_URL = _env("TWILIO_API_URL", "https://api.twilio.com").rstrip("/")
        self.KANNEL_SECRET = _env("KANNEL_SECRET")
        self.KANNEL_SENDSMS_URL = _env("KANNEL_SENDSMS_URL", "http://127.0.0.1:13013/cgi-bin/sendsms")
        self.KANNEL_USERNAME = _env("KANNEL_USERNAME", "tracuu")
        self.KANNEL_PASSWORD = _env("KANNEL_PASSWORD")
        self.KANNEL_SMSC = _env("KANNEL_SMSC")
        self.KANNEL_FROM = _env("KANNEL_FROM", self.SMS_SHORT_NUMBER)

        # Zalo: alerts by ZNS (SMS the fallback) and lookups by chat with the Official Account
        self.ALERT_CHANNELS = _env("ALERT_CHANNELS", "sms")
        self.ZALO_APP_ID = _env("ZALO_APP_ID")
        self.ZALO_APP_SECRET = _env("ZALO_APP_SECRET")
        self.ZALO_OA_SECRET = _env("ZALO_OA_SECRET")
        self.ZALO_REFRESH_TOKEN = _env("ZALO_REFRESH_TOKEN")
        self.ZALO_TEMPLATES = _env("ZALO_TEMPLATES")
        self.ZALO_ZNS_URL = _env("ZALO_ZNS_URL", "https://business.openapi.zalo.me").rstrip("/")
        self.ZALO_OAUTH_URL = _env("ZALO_OAUTH_URL", "https://oauth.zaloapp.com").rstrip("/")
        self.ZALO_OA_API_URL = _env("ZALO_OA_API_URL", "https://openapi.zalo.me").rstrip("/")
        self.ZALO_RATE_PER_SECOND = _env_int("ZALO_RATE_PER_SECOND", 30)
        # Tries by Zalo that failed in a way that may pass (Zalo down, no token) before SMS carries it.
        self.ZALO_FALLBACK_AFTER_TRIES = _env_int("ZALO_FALLBACK_AFTER_TRIES", 3)
        # ZNS "development" mode: only the OA's and the app's administrators receive (docs/zalo.md).
        self.ZALO_ZNS_DEVELOPMENT = _env_bool("ZALO_ZNS_DEVELOPMENT", False)

        # Hotline IVR
        self.ASTERISK_AMI_HOST = _env("ASTERISK_AMI_HOST")
        self.ASTERISK_AMI_PORT = _env_int("ASTERISK_AMI_PORT", 5038)
        self.ASTERISK_AMI_USERNAME = _env("ASTERISK_AMI_USERNAME")
        self.ASTERISK_AMI_SECRET = _env("ASTERISK_AMI_SECRET")
        self.IVR_OPERATOR_NUMBER = _env("IVR_OPERATOR_NUMBER")
        self.IVR_OFFICE_HOURS = _env("IVR_OFFICE_HOURS", "Mon-Fri 07:30-17:00")
        self.IVR_MAX_CALL_SECONDS = _env_int("IVR_MAX_CALL_SECONDS", 300)
        self.IVR_AUDIO_DIR = Path(_env("IVR_AUDIO_DIR") or VAR_DIR / "audio")

        # Alerts
        self.QUIET_HOURS = _env("QUIET_HOURS", "21:00-07:00")
        self.ALERT_VALIDITY_HOURS = _env_int("ALERT_VALIDITY_HOURS", 24)
        self.PICKUP_REMINDER_WORKING_DAYS = _env_int("PICKUP_REMINDER_WORKING_DAYS", 5)
        # First retry after a provider error; each next one waits twice as long (capped at 1 h).
        self.ALERT_RETRY_FIRST_SECONDS = _env_int("ALERT_RETRY_FIRST_SECONDS", 30)
        # A send taking longer is killed; a `sending` row older than 1.5x this is presumed orphaned.
        self.ALERT_JOB_TIMEOUT_SECONDS = _env_int("ALERT_JOB_TIMEOUT_SECONDS", 30)
        # How often the sweeper re-enqueues rows left behind (e.g. Redis was down).
        self.ALERT_SWEEP_SECONDS = _env_int("ALERT_SWEEP_SECONDS", 30)

        self.TESTING = False


def _dev_secret() -> str:
    """A per-checkout secret for `make run`, kept under var/ so QR links survive restarts."""
    return private_secret(VAR_DIR / "secret_key")


def private_dir(path: Path) -> Path:
    """A directory only we may enter (var/ holds the database, secrets and Redis data)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)  # made wider by an older version
    return path


def private_secret(path: Path) -> str:
    """The secret kept in `path`, made on first use: created 0600, never wider, never replaced."""
    import secrets

    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it this very moment
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty: remove it to make a new secret") from None
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    return value


class TestConfig(Config):
    """Cannot reach the outside world by accident: every provider URL points at nothing."""

    keeps_dev_secret = False

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret"
        self.DATABASE_URL = "sqlite://"
        self.REDIS_URL = "redis://127.0.0.1:1/0"
        self.REDIS_SENTINELS = ""
        self.PUBLIC_BASE_URL = "http://localhost"
        self.SMS_SENDER = "console"
        self.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
        self.TWILIO_AUTH_TOKEN = "test-auth-token"
        self.TWILIO_FROM = "+15005550006"
        self.TWILIO_API_URL = "http://127.0.0.1:9"
        self.KANNEL_SECRET = "test-kannel-secret"
        self.KANNEL_SENDSMS_URL = "http://127.0.0.1:9/cgi-bin/sendsms"
        self.ASTERISK_AMI_HOST = ""
        self.RATELIMIT_ENABLED = False
        self.ZALO_ZNS_URL = "http://127.0.0.1:9"
        self.ZALO_OAUTH_URL = "http://127.0.0.1:9"
        self.ZALO_OA_API_URL = "http://127.0.0.1:9"

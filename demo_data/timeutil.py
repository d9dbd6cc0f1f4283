"""Time helpers: instants are whole seconds since the epoch (UTC), written in Berlin local time.

The simulation works on integer instants because plain arithmetic on them never trips over the
daylight-saving switch, which same-zone aware ``datetime`` arithmetic silently does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
DAY = 86400

Instant = int


def to_instant(moment: datetime) -> Instant:
    """Seconds since the epoch of an aware datetime (naive ones are taken as Berlin time)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    return int(moment.timestamp())


def local(instant: Instant) -> datetime:
    """The Berlin wall-clock datetime of an instant."""
    return datetime.fromtimestamp(instant, BERLIN)


def berlin_date(instant: Instant) -> date:
    """The Berlin calendar date an instant falls on."""
    return local(instant).date()


def at_local(day: date, hour: int = 0, minute: int = 0) -> Instant:
    """The instant of a Berlin wall-clock time on a given date."""
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).timestamp())


def midnight(day: date) -> Instant:
    """00:00 Europe/Berlin at the start of ``day``."""
    return at_local(day)


def fhir_datetime(instant: Instant) -> str:
    """FHIR dateTime/instant text in Berlin time with its offset, e.g. 2025-03-30T08:00:00+02:00."""
    return local(instant).isoformat(timespec="seconds")


def fhir_time(hour: int) -> str:
    """FHIR time text for a whole hour."""
    return f"{hour % 24:02d}:00:00"


def floor_to_hour(moment: datetime) -> datetime:
    """The full hour at or before ``moment`` as a Berlin datetime (the default as-of instant)."""
    return moment.astimezone(BERLIN).replace(minute=0, second=0, microsecond=0)


def now_hour() -> datetime:
    """The current full hour in Berlin time."""
    return floor_to_hour(datetime.now(UTC))


def date_range(first: date, last: date) -> list[date]:
    """All dates from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]

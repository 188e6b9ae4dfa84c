"""The one time helper: ms-epoch integers, RFC 1123 dates and clock times, as RAGFlow puts them on
the wire."""

import time
from datetime import UTC, datetime
from email.utils import format_datetime


def now_ms() -> int:
    """Milliseconds since the epoch: the `create_time`/`update_time` format."""
    return time.time_ns() // 1_000_000


def http_date(ms: int) -> str:
    """`Mon, 14 Oct 2024 09:11:01 GMT` for a ms-epoch value, in UTC (the spec's recommendation)."""
    return format_datetime(datetime.fromtimestamp(ms / 1000, tz=UTC), usegmt=True)


def stamps(ms: int) -> dict[str, int | str]:
    """The four timestamp fields every RAGFlow record carries, for one instant."""
    date = http_date(ms)
    return {"create_time": ms, "create_date": date, "update_time": ms, "update_date": date}


def clock_time(ms: int | None = None) -> str:
    """`HH:MM:SS` in the server's local time, as RAGFlow stamps parse progress lines."""
    seconds = time.time() if ms is None else ms / 1000
    return time.strftime("%H:%M:%S", time.localtime(seconds))

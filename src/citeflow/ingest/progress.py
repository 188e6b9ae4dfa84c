"""A parse task's progress and its message log, by RAGFlow's rules (pipeline spec §2.5)."""

from citeflow.core.clock import clock_time

#: The message log keeps about this many characters, whole lines, dropping the oldest.
MESSAGE_CHARS = 3000
FAILED = -1.0


def progress_line(
    message: str,
    *,
    progress: float,
    from_page: int,
    to_page: int,
    cancelled: bool = False,
    at_ms: int | None = None,
) -> str:
    """`HH:MM:SS Page(<from+1>~<to+1>): <message>`: the page part whenever the task has a range
    (whole-document tasks included, as RAGFlow shows `Page(1~100000001)`), `[ERROR]` before the
    message of a failure, ` [Canceled]` after the message of a cancelled task."""
    pages = f"Page({from_page + 1}~{to_page + 1}): " if to_page > 0 and from_page < to_page else ""
    text = f"[ERROR]{message}" if progress < 0 else message
    if cancelled:
        text += " [Canceled]"
    return f"{clock_time(at_ms)} {pages}{text}"


def appended(log: str, line: str, limit: int = MESSAGE_CHARS) -> str:
    """The message log with `line` added, its oldest whole lines dropped beyond `limit`."""
    lines = [*(log.split("\n") if log else []), line]
    while len(lines) > 1 and sum(len(x) + 1 for x in lines) - 1 > limit:
        lines.pop(0)
    return "\n".join(lines)


def advanced(current: float, reported: float) -> float:
    """Progress only moves forward, except to a failure (-1), which is final."""
    if current == FAILED:
        return FAILED
    if reported == FAILED:
        return FAILED
    return max(current, reported)

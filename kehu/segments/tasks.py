"""Background work of segments, run by `kehu db_worker`: the recurring follow-up rules."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kehu.core.periodic import periodic_ensure

from .services import segments_followup_run


@task()
def segments_followup(repeat: bool = False) -> dict[str, int]:
    """The follow-up rules whose new period has come (once per period each); `repeat`: queue
    the next check (the worker's schedule)."""
    try:
        return segments_followup_run()
    finally:
        if repeat:
            segments_followup_schedule()


def segments_followup_schedule() -> bool:
    """Queue the next check in KEHU_SEGMENT_FOLLOWUP_SECONDS unless one waits (the worker calls
    this when it starts; each run queues the next)."""
    return periodic_ensure(
        segments_followup, every_seconds=settings.KEHU_SEGMENT_FOLLOWUP_SECONDS, repeat=True
    )

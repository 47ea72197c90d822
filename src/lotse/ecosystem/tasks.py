"""Background jobs of the directory.

``remind_stale_profiles`` is meant to run periodically (once a day is plenty;
each organisation is reminded at most every 30 days).  django-tasks has no
scheduler of its own, so either call ``lotse remind-stale`` from cron or a
systemd timer, or enqueue this task from one::

    lotse shell -c "from lotse.ecosystem.tasks import remind_stale_profiles; \
remind_stale_profiles.enqueue()"

See docs/overview.md ("Veraltete Profile").
"""

from __future__ import annotations

from django_tasks import task

from lotse.ecosystem.domain.reminders import send_stale_reminders

# What should run periodically, and how often (seconds); read by operators'
# schedulers and documented in docs/overview.md.
PERIODIC = {"remind_stale_profiles": 24 * 60 * 60}


@task()
def remind_stale_profiles(dry_run: bool = False) -> dict[str, int]:
    """Send due stale-profile reminders; returns the counts for the task result."""
    report = send_stale_reminders(dry_run=dry_run)
    return {
        "due": len(report.reminders),
        "sent": report.sent,
        "failed": report.failed,
        "without_recipient": len(report.without_recipient),
    }

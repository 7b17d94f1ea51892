"""Escalations alert people: the alert worker and webhook receiver of tests/alerts serve here too."""

from tests.alerts.conftest import alert_worker, receiver

__all__ = ["alert_worker", "receiver"]

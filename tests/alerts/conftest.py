"""Alerts are tested with the app's own alert worker running in its thread (as `harbour serve`
runs it) and a real HTTP receiver for the webhook."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from app.alerts.delivery import AlertWorker
from tests.alerts.receiver import Receiver, webhook_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


@pytest.fixture(autouse=True)
def alert_worker(app: FastAPI) -> Iterator[AlertWorker]:
    worker: AlertWorker = app.state.alert_worker
    worker.start()
    yield worker
    worker.stop()

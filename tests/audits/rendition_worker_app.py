"""The project's Celery app for the rendition worker-kill test: unacknowledged Redis messages are swept
every second (the defaults take up to ~100 s), and with TOUCHPOINT_TEST_RENDITION_PAUSE set, the worker
sleeps right after storing the 1600 px rendition, so the test can kill it half-way, deterministically."""

import os
import time

from config.celery import app

app.conf.broker_transport_options = {**app.conf.broker_transport_options, "unacked_restore_interval": 1,
                                     "unacked_restore_throttle": 1}

PAUSE = float(os.environ.get("TOUCHPOINT_TEST_RENDITION_PAUSE") or 0)

if PAUSE:
    import django

    django.setup()
    from audits.fieldwork import photos
    from audits.fieldwork.imaging import LARGE_PX

    real_store = photos._store

    def store_then_pause(storage, name, content):
        stored = real_store(storage, name, content)
        if name.endswith(f"-{LARGE_PX}.jpg"):
            time.sleep(PAUSE)
        return stored

    photos._store = store_then_pause

"""The project's Celery app for the report worker-kill test, sweeping unacknowledged Redis messages every
second, and with TOUCHPOINT_TEST_REPORT_PAUSE (seconds) set, sleeping when the compile starts printing the
PDF (progress 78 %, the HTML already written), so the test can kill the worker mid-compile.

kombu looks for messages past their visibility timeout every `unacked_restore_interval` (10 s) ×
`unacked_restore_throttle` (10) seconds: a killed worker's task comes back after the timeout plus up to
~100 s. Production keeps those defaults; the test only wants to wait less."""

import os
import time

from config.celery import app

app.conf.broker_transport_options = {**app.conf.broker_transport_options, "unacked_restore_interval": 1,
                                     "unacked_restore_throttle": 1}

PAUSE = float(os.environ.get("TOUCHPOINT_TEST_REPORT_PAUSE") or 0)

if PAUSE:
    import django

    django.setup()
    from audits.reports import render

    real_write_pdf = render.write_pdf

    def pause_then_write_pdf(page, target):
        time.sleep(PAUSE)
        return real_write_pdf(page, target)

    render.write_pdf = pause_then_write_pdf

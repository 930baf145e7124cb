"""The project's Celery app for the worker-kill test, sweeping unacknowledged Redis messages every second.

kombu looks for messages past their visibility timeout every `unacked_restore_interval` (10 s) ×
`unacked_restore_throttle` (10) seconds: a killed worker's task comes back after the timeout plus up to
~100 s. Production keeps those defaults; the test only wants to wait less."""

from config.celery import app

app.conf.broker_transport_options = {**app.conf.broker_transport_options, "unacked_restore_interval": 1,
                                     "unacked_restore_throttle": 1}

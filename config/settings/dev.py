"""A laptop: DEBUG on unless the environment says otherwise, demo data allowed."""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# Each request of the dev server's threads opens its own connection: close it after the request, so that a
# burst of phones never leaves PostgreSQL's connection slots idle and full.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0)  # noqa: F405
# The dev server (gunicorn under `make run`) serves static files from the apps through whitenoise: no
# collectstatic needed while DEBUG is on.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

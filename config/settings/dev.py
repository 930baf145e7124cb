"""A laptop: DEBUG on unless the environment says otherwise, demo data allowed."""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

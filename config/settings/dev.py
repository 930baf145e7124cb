"""A laptop: DEBUG on unless the environment says otherwise, demo data allowed."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

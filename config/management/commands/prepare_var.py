from django.conf import settings
from django.core.management.base import BaseCommand

from config.var import prepare


class Command(BaseCommand):
    help = "Make the folders the defaults keep their files in (var/: database, media, broker). Idempotent."

    def handle(self, *args, **options):
        prepare(settings.VAR_DIR, media_root=settings.MEDIA_ROOT)
        self.stdout.write(f"{settings.VAR_DIR} ready")

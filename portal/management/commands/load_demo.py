from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Load the synthetic demo content. Idempotent: running it again changes nothing."

    def handle(self, *args, **options):
        home = demo.load()
        self.stdout.write(self.style.SUCCESS(f"Demo content ready: home page '{home.title}'."))

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studio.services.two_factor import two_factor_link_url


class Command(BaseCommand):
    help = (
        "Issue a one-time link with which a moderator or staff member enrols an authenticator "
        "app. Hand it to them apart from their password; it ends any earlier link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the account's e-mail")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, user, base_url, **options):
        account = get_user_model().objects.filter(username=user.lower()).first()
        if account is None:
            raise CommandError(f"No account {user}.")
        self.stdout.write(two_factor_link_url(user=account, base_url=base_url))

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from studio.services.two_factor import two_factor_link_issue


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
        token = two_factor_link_issue(user=account)
        path = reverse("two_factor_enrol", kwargs={"token": token})
        self.stdout.write(f"{base_url.rstrip('/')}{path}")

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studio.errors import ApplicationError
from studio.services.api_tokens import (
    DEFAULT_TOKEN_LIFETIME_DAYS,
    TOKEN_LIFETIME_DAYS,
    api_token_create,
)


class Command(BaseCommand):
    help = "Create a personal API token for a creator; it is shown once and stored hashed."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--label", default="")
        parser.add_argument(
            "--days", type=int, choices=TOKEN_LIFETIME_DAYS, default=DEFAULT_TOKEN_LIFETIME_DAYS
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"].lower()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail {options['user']}.")
        try:
            _token, key = api_token_create(
                creator=user, label=options["label"], lifetime_days=options["days"]
            )
        except ApplicationError as refused:
            raise CommandError(refused.message) from refused
        self.stdout.write(key)

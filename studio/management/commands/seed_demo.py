import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from studio.services.accounts import creator_create, moderator_create
from studio.services.two_factor import has_confirmed_device, two_factor_link_url

DEMO_CREATOR = "creator@signet.local"
DEMO_MODERATOR = "moderator@signet.local"


class Command(BaseCommand):
    help = "Create the demo creator and moderator (once) and print their credentials."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="where the site is served (bin/run passes SIGNET_BIND)")

    def handle(self, *args, base_url, **options):
        User = get_user_model()
        for email, make in ((DEMO_CREATOR, creator_create), (DEMO_MODERATOR, moderator_create)):
            password = "demo-" + secrets.token_urlsafe(9)
            user = User.objects.filter(username=email).first()
            if user is None:
                make(email=email, password=password)
            else:
                # A fresh password each start: the printed one always works.
                user.set_password(password)
                user.save(update_fields=["password"])
            self.stdout.write(f"  {email:<26} password: {password}")
            user = User.objects.get(username=email)
            if email == DEMO_MODERATOR and not has_confirmed_device(user):
                # Moderators confirm each login with an authenticator app, set up by this link.
                link = two_factor_link_url(user=user, base_url=base_url)
                self.stdout.write(f"  {'':<26} authenticator set-up: {link}")

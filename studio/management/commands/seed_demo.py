import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from studio.services.accounts import creator_create, moderator_create

DEMO_CREATOR = "creator@signet.local"
DEMO_MODERATOR = "moderator@signet.local"


class Command(BaseCommand):
    help = "Create the demo creator and moderator (once) and print their credentials."

    def handle(self, *args, **options):
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

import getpass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from initiatives.roles import ROLES


class Command(BaseCommand):
    help = (
        "Create a staff account in a role: 'editor' (edit initiatives, organizations and "
        "contacts; see registrations) or 'administrator' (everything). Asks for what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--role", choices=sorted(ROLES))
        parser.add_argument(
            "--password",
            help="For scripts only (it stays in the shell history); omit it to be asked.",
        )
        parser.add_argument("--no-input", action="store_true", help="Never ask: fail instead.")

    def _ask(self, label, value, no_input, *, secret=False):
        if value:
            return value
        if no_input:
            raise CommandError(f"--{label} is required with --no-input.")
        return (getpass.getpass if secret else input)(f"{label.capitalize()}: ").strip()

    def handle(self, *args, username, email, role, password, no_input, **options):
        User = get_user_model()
        username = self._ask("username", username, no_input)
        if not username:
            raise CommandError("A username is required.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        email = self._ask("email", email, no_input)
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not a valid e-mail address.") from error
        role = self._ask("role", role, no_input)
        if role not in ROLES:
            raise CommandError(f"The role must be one of: {', '.join(sorted(ROLES))}.")
        password = self._ask("password", password, no_input, secret=True)
        user = User(username=username, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=ROLES[role]))
        self.stdout.write(f"Created staff user {username!r} ({ROLES[role]}).")
        self.stdout.write(
            f"Next step: {username} signs in at /{settings.ADMIN_URL}login/ with this password "
            "and is then led to set up two-factor sign-in: scan the QR code (or type the key "
            "shown) into an authenticator app, enter its 6-digit code, and make recovery codes. "
            "Nothing else in the admin opens until that is done."
        )

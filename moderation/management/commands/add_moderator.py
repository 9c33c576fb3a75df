from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from moderation.roles import MODERATORS, ensure_groups


class Command(BaseCommand):
    help = "Put an existing user in the Moderators group (or take them out with --remove)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Take the user out instead.")

    def handle(self, *args, username: str, remove: bool, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(
                f"No user {username!r}. Create one first: manage.py createsuperuser, "
                "or add a user in the admin."
            ) from None
        group = ensure_groups()[MODERATORS]
        if remove:
            if not user.groups.filter(pk=group.pk).exists():
                raise CommandError(f"{username} is not a moderator.")
            user.groups.remove(group)
            self.stdout.write(f"{username} is no longer a moderator.")
        else:
            user.groups.add(group)
            self.stdout.write(f"{username} is a moderator: the queue is at /moderation/.")

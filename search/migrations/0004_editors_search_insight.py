"""Give Editors the search insight pages (the week's queries, editors' picks).

Self-contained, as archive/migrations/0003_editorial_groups.py is; moderation/roles.py holds
the same grants.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [
    ("search", "searchlog", ["view"]),
    ("search", "searchpromotion", ["view", "add", "change", "delete"]),
]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate).
    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for app_label, model, actions in GRANTS:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="search"))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_search_insight"),
        ("archive", "0003_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

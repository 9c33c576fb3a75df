"""Create the Editors and Moderators groups with their permissions.

Self-contained on purpose (a migration must not change when app code does); the same table
lives in moderation/roles.py, and tests/moderation/test_roles.py checks the two agree.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Editors": [
        ("archive", "article", ["view", "change"]),
        ("archive", "tag", ["view", "add", "change"]),
        ("archive", "outlet", ["view", "add", "change"]),
        # Editors add areas ("Middle Euphrates Valley") and the names places are known by.
        ("archive", "region", ["view", "add", "change"]),
        ("archive", "regionname", ["view", "add", "change", "delete"]),
        # Search insight: the week's queries, and articles pinned to a query. Granted by
        # search/migrations/0004_editors_search_insight.py (those models came later).
        ("search", "searchlog", ["view"]),
        ("search", "searchpromotion", ["view", "add", "change", "delete"]),
    ],
    "Moderators": [
        ("archive", "comment", ["view", "moderate"]),
        ("archive", "moderationevent", ["view"]),
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make sure the
    # ones we hand out exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, model, actions in grants:
            # filter, not get: models added after this migration (search insight) have no
            # permissions yet; search/migrations/0004_editors_search_insight.py grants them.
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_comment_moderation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

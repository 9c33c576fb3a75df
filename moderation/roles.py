"""Who may do what: the Editors and Moderators groups.

archive/migrations/0003_editorial_groups.py creates these groups; ``ensure_groups`` recreates
them where they went missing (a flushed test database, a group deleted by hand).
"""

from django.contrib.auth.models import Group, Permission

MODERATORS = "Moderators"
EDITORS = "Editors"
MODERATE_PERMISSION = "archive.moderate_comment"

# group name -> [(app label, model, [actions])]; the permission codename is action_model.
GROUP_PERMISSIONS = {
    EDITORS: [
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
    MODERATORS: [
        ("archive", "comment", ["view", "moderate"]),
        ("archive", "moderationevent", ["view"]),
    ],
}


def ensure_groups() -> dict[str, Group]:
    """Create the groups if missing and give each its permissions (never takes any away)."""
    groups = {}
    for name, grants in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, actions in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )
        groups[name] = group
    return groups


def moderators_group() -> Group:
    return ensure_groups()[MODERATORS]

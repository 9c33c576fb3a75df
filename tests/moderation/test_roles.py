"""The Editors and Moderators groups, made by a migration, and how to become a moderator."""

from importlib import import_module
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from moderation.roles import GROUP_PERMISSIONS, MODERATE_PERMISSION, ensure_groups

pytestmark = pytest.mark.django_db


def granted(group_name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related("content_type")
    }


def expected(group_name: str) -> set[str]:
    return {
        f"{app}.{action}_{model}"
        for app, model, actions in GROUP_PERMISSIONS[group_name]
        for action in actions
    }


@pytest.mark.parametrize("group_name", ["Editors", "Moderators"])
def test_the_migration_creates_each_group_with_its_permissions(group_name):
    # pytest-django runs these database tests before any test that flushes the database.
    assert granted(group_name) == expected(group_name)


def test_the_groups_grant_what_the_issue_asks():
    ensure_groups()
    assert granted("Editors") >= {
        "archive.change_article",
        "archive.change_tag",
        "archive.change_outlet",
        "archive.change_region",
    }
    assert granted("Moderators") == {
        "archive.view_comment",
        "archive.moderate_comment",
        "archive.view_moderationevent",
    }


def test_the_migration_and_the_roles_module_agree():
    migration = import_module("archive.migrations.0003_editorial_groups")
    assert migration.GROUP_PERMISSIONS == GROUP_PERMISSIONS


def test_add_moderator_makes_a_user_a_moderator_and_remove_undoes_it():
    user = get_user_model().objects.create_user("nora", "nora@example.com", "pw-123456789")
    out = StringIO()

    call_command("add_moderator", "nora", stdout=out)
    assert get_user_model().objects.get(pk=user.pk).has_perm(MODERATE_PERMISSION)
    assert "nora is a moderator" in out.getvalue()

    call_command("add_moderator", "nora", "--remove", stdout=out)
    assert not get_user_model().objects.get(pk=user.pk).has_perm(MODERATE_PERMISSION)


def test_add_moderator_explains_a_missing_user():
    with pytest.raises(CommandError, match="createsuperuser"):
        call_command("add_moderator", "nobody")

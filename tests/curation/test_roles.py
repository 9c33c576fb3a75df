"""Editors curate and cannot moderate; Moderators moderate and cannot curate; superusers do
both. Checked for every staff URL: the URLs are read from the URL configuration, so a page
added to the admin or the moderation queue fails here until the matrix says who may use it,
and a page added anywhere else fails if it turns anonymous visitors away."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archive.models import (
    Article,
    Comment,
    ModerationEvent,
    Outlet,
    Region,
    RegionRedirect,
    Tag,
    TagRedirect,
)
from archive.models.comments import RejectionReason
from moderation.services import approve_comments
from search.models import SearchLog, SearchPromotion
from tests.curation.conftest import staff_in
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor", "moderator", "superuser", "moderator_not_staff"]
LOGIN = "login"  # a redirect to the admin's or the moderation queue's sign-in page
MOVED = "moved"  # a redirect elsewhere (to the object's page, the admin's index...)
STAFF_PREFIXES = ("admin/", "moderation/")


def admin_page(editor, moderator, superuser) -> tuple:
    """An admin page: anyone not staff is sent to the admin's sign-in page."""
    return (LOGIN, editor, moderator, superuser, LOGIN)


CURATED = {  # changelist, add, change, delete, history: editors may, except delete
    view: admin_page(403 if view == "delete" else 200, 403, 200)
    for view in ("changelist", "add", "change", "delete", "history")
}
MODERATED_READ_ONLY = {  # comments and moderation events: seen by moderators, never edited
    "changelist": admin_page(403, 200, 200),
    "add": admin_page(403, 403, 403),
    "change": admin_page(403, 200, 200),
    "delete": admin_page(403, 403, 403),
    "history": admin_page(403, 200, 200),
}
SUPERUSERS_ONLY = {
    view: admin_page(403, 403, 200) for view in ("changelist", "add", "change", "delete", "history")
}
# Old slugs of tags and regions: editors see them and delete one; nobody adds or edits one.
OLD_SLUGS = {
    **CURATED,
    "add": admin_page(403, 403, 403),
    "delete": admin_page(200, 403, 200),
}
# Login lockouts (django-axes): superusers look into them and lift them; nobody adds one.
LOCKOUT_RECORDS = {**SUPERUSERS_ONLY, "add": admin_page(403, 403, 403)}
MODEL_PAGES = {
    "auth_group": SUPERUSERS_ONLY,
    "axes_accessattempt": LOCKOUT_RECORDS,
    "axes_accesslog": LOCKOUT_RECORDS,
    "axes_accessfailurelog": LOCKOUT_RECORDS,
    "auth_user": SUPERUSERS_ONLY,
    "archive_outlet": CURATED,
    "archive_tag": CURATED,
    "archive_region": CURATED,
    "archive_tagredirect": OLD_SLUGS,
    "archive_regionredirect": OLD_SLUGS,
    "archive_article": {
        **CURATED,
        "add": admin_page(403, 403, 200),  # articles come from the ingest
    },
    "archive_comment": MODERATED_READ_ONLY,
    "archive_moderationevent": MODERATED_READ_ONLY,
    "search_searchpromotion": {**CURATED, "delete": admin_page(200, 403, 200)},
    "search_searchlog": {  # written by the portal only
        **CURATED,
        "add": admin_page(403, 403, 403),
        "delete": admin_page(403, 403, 403),
    },
}

# URL key -> expected answer per role, in ROLES order. A key is the URL's name, with the
# app or field it is asked for in brackets where one URL serves several.
EXPECTED = {
    **{
        f"admin:{model}_{view}": answers
        for model, pages in MODEL_PAGES.items()
        for view, answers in pages.items()
    },
    **{  # admin/<app>/<model>/<id>/ redirects staff to the change page, which checks
        f"admin:{model}_object": admin_page(MOVED, MOVED, MOVED) for model in MODEL_PAGES
    },
    "admin:auth_user_password_change": admin_page(403, 403, 200),
    "admin:archive_article_simple_history": admin_page(200, 403, 200),  # a version, to revert
    "admin:archive_article_unresolved_datelines": admin_page(200, 403, 200),
    "admin:index": admin_page(200, 200, 200),
    "admin:app_list[auth]": admin_page(404, 404, 200),
    "admin:app_list[axes]": admin_page(404, 404, 200),
    "admin:app_list[archive]": admin_page(200, 200, 200),
    "admin:app_list[search]": admin_page(200, 404, 200),
    "admin:autocomplete[archive.article.outlet]": admin_page(200, 403, 200),
    "admin:autocomplete[archive.article.tags]": admin_page(200, 403, 200),
    "admin:autocomplete[archive.article.regions]": admin_page(200, 403, 200),
    "admin:autocomplete[archive.article.dateline_region]": admin_page(200, 403, 200),
    "admin:autocomplete[archive.region.parent]": admin_page(200, 403, 200),
    "admin:autocomplete[search.searchpromotion.articles]": admin_page(200, 403, 200),
    "admin:jsi18n": admin_page(200, 200, 200),
    "admin:password_change": admin_page(200, 200, 200),
    "admin:password_change_done": admin_page(200, 200, 200),
    "admin:view_on_site": admin_page(MOVED, MOVED, MOVED),  # to the public article page
    "admin:catch_all": admin_page(404, 404, 404),
    # Signing in and out: open to everyone (logging out is a POST).
    "admin:login": (200, MOVED, MOVED, MOVED, 200),
    "admin:logout": (MOVED, 405, 405, 405, MOVED),  # anyone not staff: to the admin's index
    "moderation:login": (200, 200, 200, 200, 200),
    "moderation:logout": (405, 405, 405, 405, 405),
    # The queue: moderators need not be staff.
    "moderation:queue": (LOGIN, 403, 200, 200, 200),
    "moderation:approve": (LOGIN, 403, MOVED, MOVED, MOVED),
    "moderation:reject": (LOGIN, 403, MOVED, MOVED, MOVED),
    "moderation:bulk": (LOGIN, 403, MOVED, MOVED, MOVED),
}


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(route, name, pattern) of every URL the project serves."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def autocomplete_fields() -> list[str]:
    return sorted(
        f"{model._meta.app_label}.{model._meta.model_name}.{field}"
        for model, model_admin in admin.site._registry.items()
        for field in model_admin.autocomplete_fields
    )


def staff_url_keys() -> list[str]:
    """Every staff URL, as keys of EXPECTED."""
    keys = []
    for route, name, _pattern in url_patterns():
        if not route.startswith(STAFF_PREFIXES):
            continue
        if name == "admin:app_list":
            labels = {model._meta.app_label for model in admin.site._registry}
            keys += [f"admin:app_list[{label}]" for label in sorted(labels)]
        elif name == "admin:autocomplete":
            keys += [f"admin:autocomplete[{field}]" for field in autocomplete_fields()]
        elif name is None and route.endswith("<path:object_id>/"):
            app_label, model = route.split("/")[1:3]
            keys.append(f"admin:{app_label}_{model}_object")
        elif name is None and route.endswith("(?P<url>.*)$"):
            keys.append("admin:catch_all")
        else:
            assert name, f"an unnamed staff URL the matrix cannot name: {route}"
            keys.append(name)
    return keys


@pytest.fixture
def things(superuser):
    """One object of each kind the staff pages show."""
    article = make_article(title="Versioned", outlet=make_outlet("Rudaw"), tags=[make_tag("T")])
    comment = Comment.objects.create(
        article=article, author_name="R", author_email="r@example.com", body="Hello."
    )
    other = Comment.objects.create(
        article=article, author_name="S", author_email="s@example.com", body="Hi."
    )
    approve_comments([other.pk], moderator=superuser)
    promotion = SearchPromotion.objects.create(query="airport")
    promotion.articles.add(article)
    tag, region = article.tags.get(), Region.objects.create(name="An Area", slug="an-area")
    return {
        Article: article,
        Outlet: article.outlet,
        Tag: tag,
        Region: region,
        TagRedirect: TagRedirect.objects.create(old_slug="old-t", tag=tag),
        RegionRedirect: RegionRedirect.objects.create(old_slug="old-area", region=region),
        Comment: comment,
        ModerationEvent: ModerationEvent.objects.get(comment=other),
        SearchPromotion: promotion,
        SearchLog: SearchLog.objects.create(query="airport", hit_count=3, day="2017-08-15"),
        Group: Group.objects.get(name="Editors"),
        get_user_model(): superuser,
        AccessAttempt: AccessAttempt.objects.create(
            username="guess", ip_address="203.0.113.9", failures_since_start=3
        ),
        AccessLog: AccessLog.objects.create(username="editor", ip_address="203.0.113.9"),
        AccessFailureLog: AccessFailureLog.objects.create(
            username="guess", ip_address="203.0.113.9", locked_out=False
        ),
    }


def model_of(key: str):
    for model in admin.site._registry:
        if key.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def request_for(key: str, things) -> tuple[str, str, dict]:
    """(method, url, data) that exercises the page named by key."""
    article, comment = things[Article], things[Comment]
    if key.startswith("admin:app_list["):
        return "get", reverse("admin:app_list", args=[key[15:-1]]), {}
    if key.startswith("admin:autocomplete["):
        app_label, model_name, field_name = key[19:-1].split(".")
        query = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
        return "get", reverse("admin:autocomplete"), {**query, "term": "a"}
    if key == "admin:catch_all":
        return "get", "/admin/no-such-page/", {}
    if key == "admin:view_on_site":
        content_type = ContentType.objects.get_for_model(Article)
        return "get", reverse(key, args=[content_type.pk, article.pk]), {}
    if key == "admin:archive_article_simple_history":
        return "get", reverse(key, args=[article.pk, article.history.latest().pk]), {}
    if key == "admin:auth_user_password_change":
        return "get", reverse(key, args=[things[get_user_model()].pk]), {}
    if key.endswith("_object"):
        model = model_of(key)
        return "get", reverse(key.replace("_object", "_change"), args=[things[model].pk])[:-7], {}
    if key == "moderation:approve":
        return "post", reverse(key, args=[comment.pk]), {}
    if key == "moderation:reject":
        return "post", reverse(key, args=[comment.pk]), {"reason": RejectionReason.OFF_TOPIC}
    if key == "moderation:bulk":
        return "post", reverse(key), {"action": "approve", "comments": [comment.pk]}
    model = model_of(key)
    if model is not None and key.rsplit("_", 1)[1] in ("change", "delete", "history"):
        return "get", reverse(key, args=[things[model].pk]), {}
    return "get", reverse(key), {}


@pytest.fixture
def sign_in(client, editor, moderator, superuser):
    users = {"editor": editor, "moderator": moderator, "superuser": superuser}

    def as_role(role: str):
        client.logout()
        if role == "moderator_not_staff":
            user = staff_in("mina", "Moderators")
            user.is_staff = False
            user.save()
            client.force_login(user)
        elif role != "anonymous":
            client.force_login(users[role])
        return client

    return as_role


def outcome(response) -> int | str:
    if response.status_code in (301, 302):
        location = response["Location"]
        return LOGIN if "/login/" in location else MOVED
    return response.status_code


@pytest.mark.parametrize("key", staff_url_keys())
def test_each_role_gets_what_it_may_see(key, things, sign_in):
    assert key in EXPECTED, f"{key} is a new staff URL: say in EXPECTED who may use it"
    method, url, data = request_for(key, things)
    answers = {}
    for role in ROLES:
        client = sign_in(role)
        answers[role] = outcome(getattr(client, method)(url, data))
    assert answers == dict(zip(ROLES, EXPECTED[key], strict=True))


def test_the_matrix_names_no_url_that_is_gone():
    assert set(EXPECTED) - set(staff_url_keys()) == set()


def placeholder_args(pattern) -> dict:
    """Values of the right type for a URL's arguments: enough to reach its view."""
    converters = getattr(pattern.pattern, "converters", {})
    values = {"int": "1", "slug": "x", "str": "x", "path": "x"}
    return {
        name: values.get(type(converter).__name__.removesuffix("Converter").lower(), "1")
        for name, converter in converters.items()
    }


def test_no_other_url_turns_anonymous_visitors_away(client):
    """A page outside /admin/ and /moderation/ is public: if one asks anonymous visitors to
    sign in (or forbids them), it is a staff page the matrix above does not check."""
    for route, name, pattern in url_patterns():
        if route.startswith(STAFF_PREFIXES) or not name:
            continue
        url = reverse(name, kwargs=placeholder_args(pattern))
        response = client.get(url)
        assert response.status_code != 403, url
        assert not (response.status_code == 302 and "login" in response["Location"]), url


EDITOR_ACTIONS = {
    Article: {
        "withdraw",
        "republish",
        "add_tag",
        "remove_tag",
        "set_dateline_region",
        "close_comments",
        "open_comments",
        "reindex",
        "locate_again",
    },
    Tag: {"merge"},
    TagRedirect: {"delete_selected"},
    RegionRedirect: {"delete_selected"},
    SearchPromotion: {"delete_selected"},
}
SUPERUSER_ACTIONS = {AccessAttempt: {"cleanup_expired_attempts"}}  # login lockouts
MODERATOR_ACTIONS = {
    Comment: {"approve", *(f"reject_as_{reason.value}" for reason in RejectionReason)},
}


@pytest.mark.parametrize("role", ["editor", "moderator", "superuser"])
def test_each_role_is_offered_only_its_own_bulk_actions(rf, role, request):
    user = request.getfixturevalue(role)
    web_request = rf.get("/")
    web_request.user = user
    for model, model_admin in admin.site._registry.items():
        offered = set(model_admin.get_actions(web_request))
        if role == "superuser":
            expected = (
                EDITOR_ACTIONS.get(model, set())
                | MODERATOR_ACTIONS.get(model, set())
                | SUPERUSER_ACTIONS.get(model, set())
            )
            if model_admin.has_delete_permission(web_request):
                expected.add("delete_selected")
        else:
            expected = (EDITOR_ACTIONS if role == "editor" else MODERATOR_ACTIONS).get(model, set())
        assert offered == expected, (role, model.__name__)


def test_a_moderator_cannot_run_a_curation_action(client, moderator):
    article = make_article()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "withdraw", "_selected_action": [article.pk], "index": "0"},
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_an_editor_cannot_run_a_moderation_action(client, editor):
    comment = Comment.objects.create(
        article=make_article(), author_name="R", author_email="r@example.com", body="Hello."
    )
    client.force_login(editor)
    response = client.post(
        reverse("admin:archive_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk], "index": "0"},
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("editor", True), ("moderator", False), ("superuser", True)],
)
def test_only_curators_may_merge_tags(client, role, allowed, request):
    client.force_login(request.getfixturevalue(role))
    keep, drop = make_tag("Keep"), make_tag("Drop")
    client.post(
        reverse("admin:archive_tag_changelist"),
        {"action": "merge", "_selected_action": [keep.pk, drop.pk], "apply": "1", "into": keep.pk},
    )
    assert Tag.objects.filter(pk=drop.pk).exists() is not allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("editor", False), ("moderator", True), ("superuser", True)],
)
def test_only_moderators_may_decide_on_comments(client, role, allowed, request):
    comment = Comment.objects.create(
        article=make_article(), author_name="R", author_email="r@example.com", body="Hello."
    )
    client.force_login(request.getfixturevalue(role))
    client.post(reverse("moderation:approve", args=[comment.pk]))
    comment.refresh_from_db()
    assert (comment.status == Comment.Status.APPROVED) is allowed

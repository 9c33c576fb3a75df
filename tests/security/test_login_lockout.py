"""Brute-force protection of the staff sign-in forms (django-axes): after AXES_FAILURE_LIMIT
bad passwords for one username from one address, that pair is refused, even with the right
password, until the cool-off passes or `axes_reset` lifts it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from moderation.roles import moderators_group

PASSWORD = "a-long-test-password"
ATTACKER = "203.0.113.9"

SIGN_IN_FORMS = [
    pytest.param(reverse("admin:login"), "ada", id="admin"),
    pytest.param(reverse("moderation:login"), "mona", id="moderation"),
]


@pytest.fixture(autouse=True)
def staff(db):
    get_user_model().objects.create_superuser("ada", "ada@example.com", PASSWORD)
    moderator = get_user_model().objects.create_user("mona", "mona@example.com", PASSWORD)
    moderator.groups.add(moderators_group())


def sign_in(client, url: str, username: str, password: str, address: str = ATTACKER):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, url: str, username: str, times: int) -> list[int]:
    return [sign_in(client, url, username, "wrong-password").status_code for _ in range(times)]


def fail_until_locked(client, url: str, username: str) -> list[int]:
    return fail(client, url, username, settings.AXES_FAILURE_LIMIT)


def test_the_defaults_lock_a_username_and_address_after_five_failures_for_an_hour():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 60 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize(("url", "username"), SIGN_IN_FORMS)
def test_repeated_bad_passwords_lock_the_sign_in(client, url, username):
    statuses = fail_until_locked(client, url, username)

    # Every failure but the last shows the form again; the last locks the pair out.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = sign_in(client, url, username, "wrong-password")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()


@pytest.mark.parametrize(("url", "username"), SIGN_IN_FORMS)
def test_the_right_password_is_refused_while_locked(client, url, username):
    fail_until_locked(client, url, username)

    response = sign_in(client, url, username, PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lock_holds_one_username_from_one_address(client):
    url = reverse("admin:login")
    fail_until_locked(client, url, "ada")

    # The same staff member from their own address, and another account from the attacker's.
    assert sign_in(client, url, "ada", PASSWORD, address="198.51.100.20").status_code == 302
    client.logout()
    assert sign_in(client, url, "mona", PASSWORD).status_code == 200  # mona is not staff
    assert sign_in(client, url, "ada", PASSWORD).status_code == 429


def test_a_good_sign_in_clears_earlier_failures(client):
    url = reverse("admin:login")
    almost = settings.AXES_FAILURE_LIMIT - 1
    fail(client, url, "ada", almost)
    assert sign_in(client, url, "ada", PASSWORD).status_code == 302
    client.logout()

    assert fail(client, url, "ada", almost) == [200] * almost


def test_the_lock_expires_after_the_cool_off(client):
    url = reverse("admin:login")
    fail_until_locked(client, url, "ada")
    assert sign_in(client, url, "ada", PASSWORD).status_code == 429

    # The cool-off counts from the last failure: pretend that was longer ago than it lasts.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )

    assert sign_in(client, url, "ada", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_refused_attempt_during_the_lock_restarts_the_cool_off(client):
    url = reverse("admin:login")
    fail_until_locked(client, url, "ada")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    )

    assert sign_in(client, url, "ada", "still-guessing").status_code == 429
    AccessAttempt.objects.update(  # two minutes on: past the first cool-off, not the new one
        attempt_time=timezone.now() - timedelta(minutes=2)
    )

    assert sign_in(client, url, "ada", PASSWORD).status_code == 429


def test_axes_reset_lifts_the_lock(client):
    url = reverse("moderation:login")
    fail_until_locked(client, url, "mona")
    assert sign_in(client, url, "mona", PASSWORD).status_code == 429

    call_command("axes_reset", verbosity=0)

    response = sign_in(client, url, "mona", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:queue")

"""One throttle for every sign-in path: the login page, /admin/login/ and authenticate()."""

import pytest
from django.contrib.auth import authenticate

from tend.accounts.models import LoginFailure, LoginLock
from tend.accounts.tests.factories import PASSWORD

LOCKED = "Too many failed logins for this account"
HOME, OFFICE, ELSEWHERE = "198.51.100.7", "203.0.113.20", "192.0.2.44"


def _app_login(client, username, password, address=HOME, **headers):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def _admin_login(client, username, password, address=HOME):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_ten_wrong_passwords_on_the_admin_login_lock_the_account(client, admin_user):
    for _ in range(10):
        response = _admin_login(client, "root", "wrong")
    assert LOCKED in response.content.decode()
    response = _admin_login(client, "root", PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not _signed_in(client)


def test_an_account_locked_on_the_login_page_cannot_sign_in_on_the_admin(client, admin_user):
    for _ in range(10):
        _app_login(client, "root", "wrong")
    response = _admin_login(client, "root", PASSWORD)
    assert response.status_code == 200
    assert not _signed_in(client)


def test_failures_on_both_pages_add_up_to_one_lock(client, admin_user):
    for _ in range(5):
        _app_login(client, "root", "wrong")
    for _ in range(5):
        _admin_login(client, "root", "wrong")
    assert list(LoginLock.objects.values_list("username", "address")) == [("root", HOME)]
    assert not _signed_in(client)
    assert _app_login(client, "root", PASSWORD).status_code == 200
    assert not _signed_in(client)


def test_a_lock_from_one_address_does_not_keep_the_real_person_out_elsewhere(client, rep1):
    for _ in range(10):
        _app_login(client, "alice", "wrong", address=HOME)
    assert _app_login(client, "alice", PASSWORD, address=HOME).status_code == 200
    assert not _signed_in(client)
    assert _app_login(client, "alice", PASSWORD, address=OFFICE).status_code == 302
    assert _signed_in(client)


def test_thirty_wrong_passwords_from_one_address_lock_that_address_for_every_account(
    client, rep1, rep2, settings
):
    for number in range(30):
        _app_login(client, f"nobody{number % 3}", "wrong", address=HOME)
    assert LoginLock.objects.filter(username="*", address=HOME).exists()
    response = _app_login(client, "alice", PASSWORD, address=HOME)
    assert response.status_code == 200
    assert not _signed_in(client)
    assert not LoginFailure.objects.filter(username="alice").exists()
    assert _app_login(client, "bob", PASSWORD, address=OFFICE).status_code == 302


def test_fifty_wrong_passwords_from_many_addresses_lock_the_account_everywhere(client, rep1):
    for number in range(50):
        _app_login(client, "alice", "wrong", address=f"192.0.2.{number // 9}")
    response = _app_login(client, "alice", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not _signed_in(client)
    assert authenticate(username="alice", password=PASSWORD) is None


def test_a_success_forgets_only_the_failures_from_that_address(client, rep1):
    for address in (HOME, OFFICE):
        for _ in range(3):
            _app_login(client, "alice", "wrong", address=address)
    _app_login(client, "alice", PASSWORD, address=OFFICE)
    assert sorted(LoginFailure.objects.values_list("address", flat=True)) == [HOME] * 3


def test_a_forwarded_for_header_is_ignored_unless_a_trusted_proxy_is_configured(client, rep1):
    for number in range(10):
        _app_login(client, "alice", "wrong", address=HOME, x_forwarded_for=f"10.0.0.{number}")
    assert list(LoginLock.objects.values_list("address", flat=True)) == [HOME]


def test_behind_a_trusted_proxy_the_last_forwarded_address_counts(client, rep1, settings):
    settings.TEND_CLIENT_IP_HEADER = "X-Forwarded-For"
    for _ in range(10):
        _app_login(client, "alice", "wrong", address="10.0.0.1", x_forwarded_for=f"1.2.3.4, {HOME}")
    assert list(LoginLock.objects.values_list("address", flat=True)) == [HOME]
    response = _app_login(client, "alice", PASSWORD, address="10.0.0.1", x_forwarded_for=OFFICE)
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_a_wrong_password_is_counted_once_per_attempt(client, admin_user, path):
    client.post(path, {"username": "Root", "password": "wrong"}, REMOTE_ADDR=HOME)
    assert list(LoginFailure.objects.values_list("username", "address")) == [("root", HOME)]

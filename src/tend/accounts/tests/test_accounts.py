from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.management import CommandError, call_command
from django.utils import timezone

from tend.accounts import services
from tend.accounts.models import ApiToken, LoginFailure, LoginLock, Team, User
from tend.accounts.tests.factories import PASSWORD, UserFactory


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.real_hashing
def test_passwords_are_hashed_with_argon2(db):
    user = services.user_create(username="ada", password="a long passphrase 42")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_a_person_logs_in_and_out(client, rep1):
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.get("/customers/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/customers/").status_code == 302


def test_ten_failed_logins_lock_the_account_for_fifteen_minutes(client, rep1):
    for _ in range(9):
        response = _login(client, "alice", "wrong")
        assert "Please enter a correct username and password" in response.content.decode()
    response = _login(client, "alice", "wrong")
    assert "Too many failed logins for this account" in response.content.decode()
    assert LoginLock.objects.filter(username="alice").exists()
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed logins for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_fifteen_minutes(client, rep1):
    for _ in range(10):
        _login(client, "alice", "wrong")
    LoginLock.objects.filter(username="alice").update(until=timezone.now() - timedelta(seconds=1))
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_failures_older_than_the_window_do_not_count(client, rep1):
    for _ in range(9):
        _login(client, "alice", "wrong")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    _login(client, "alice", "wrong")
    assert not LoginLock.objects.exists()
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_another_account_is_not_locked(client, rep1, rep2):
    for _ in range(10):
        _login(client, "alice", "wrong")
    assert _login(client, "bob", PASSWORD).status_code == 302


def test_changing_the_password(client, rep1):
    client.force_login(rep1)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "kettles shipped on time 2026",
            "new_password2": "kettles shipped on time 2026",
        },
    )
    assert response.status_code == 302
    rep1.refresh_from_db()
    assert rep1.check_password("kettles shipped on time 2026")


def test_an_api_token_is_shown_once_stored_hashed_and_works_until_revoked(client, rep1, book):
    client.force_login(rep1)
    response = client.post("/accounts/tokens/", {"name": "ERP sync"})
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=rep1)
    assert key.startswith("tend_") and token.key_hash == ApiToken.hash_key(key)
    assert key not in str(ApiToken.objects.values_list().get())
    assert key not in client.get("/accounts/tokens/").content.decode()

    client.logout()
    auth = {"Authorization": f"Bearer {key}"}
    listed = client.get("/api/v1/customers", headers=auth).json()["results"]
    assert sorted(row["name"] for row in listed) == [
        "Al Noor Trading",
        "Hamburg Küchen AG",
        "Pool Imports",
    ]
    assert client.get("/api/v1/customers", headers={"X-API-Key": key}).status_code == 200

    client.force_login(rep1)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/customers", headers=auth).status_code == 401


def test_a_token_of_a_deactivated_person_stops_working(client, rep1):
    _token, key = services.api_token_create(user=rep1, name="script")
    rep1.is_active = False
    rep1.save()
    response = client.get("/api/v1/customers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_nobody_can_revoke_someone_elses_token(client, rep1, rep2):
    token, _key = services.api_token_create(user=rep2, name="bob's")
    client.force_login(rep1)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_createuser_command_adds_a_person_with_role_and_team(db):
    call_command(
        "createuser", "zhang", "--role", "manager", "--team", "China", "--password", "pw-zhang-2026"
    )
    user = User.objects.get(username="zhang")
    assert (user.role, user.team.name, user.check_password("pw-zhang-2026")) == (
        "manager",
        "China",
        True,
    )


@pytest.mark.parametrize("password", ["", "12345678", "password"])
def test_createuser_refuses_an_empty_or_weak_password(db, password):
    with pytest.raises(CommandError, match="^Password: "):
        call_command("createuser", "zhang", "--team", "China", "--password", password)
    assert not User.objects.filter(username="zhang").exists()
    assert not Team.objects.filter(name="China").exists()


def test_createuser_refuses_a_manager_without_a_team(db):
    with pytest.raises(CommandError, match="--team: A manager needs a team"):
        call_command("createuser", "zhang", "--role", "manager", "--password", "pw-zhang-2026")
    assert not User.objects.filter(username="zhang").exists()


def test_a_manager_without_a_team_is_refused_in_the_admin_too(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "zhang",
            "password1": "pw-zhang-2026",
            "password2": "pw-zhang-2026",
            "usable_password": "true",
            "role": "manager",
            "team": "",
        },
    )
    assert response.status_code == 200
    assert "A manager needs a team." in response.content.decode()
    assert not User.objects.filter(username="zhang").exists()


def test_only_an_admin_reaches_the_settings_admin(client, manager1, admin_user):
    client.force_login(manager1)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin_user)
    assert client.get("/admin/accounts/team/").status_code == 200


def test_user_factory_makes_usable_logins(db):
    user = UserFactory(username="zed")
    assert user.check_password(PASSWORD)

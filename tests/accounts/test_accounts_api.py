from pathlib import Path

import pytest

from accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def register(client, **overrides):
    body = {
        "email": "New.Person@Example.com",
        "password": "a-long-secret-42",
        "first_name": "New",
        "last_name": "Person",
        "phone": "9876543210",
    } | overrides
    return client.post("/api/accounts/register/", body, format="json")


def test_register_creates_user_with_lowercased_email(anon_client):
    response = register(anon_client)
    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "email": "new.person@example.com",
        "first_name": "New",
        "last_name": "Person",
        "phone": "9876543210",
    }
    assert "password" not in response.json()


def test_register_same_email_in_other_case_is_refused(anon_client):
    assert register(anon_client).status_code == 201
    response = register(anon_client, email="NEW.PERSON@example.COM")
    assert response.status_code == 400
    assert "already registered" in response.json()["error"]
    assert User.objects.count() == 1


def test_register_weak_password_is_refused(anon_client):
    response = register(anon_client, password="123")
    assert response.status_code == 400
    assert "Password" in response.json()["error"]
    assert not User.objects.exists()


def test_register_missing_fields_answers_400_with_error(anon_client):
    response = anon_client.post(
        "/api/accounts/register/", {"email": "x@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["error"]


def test_login_is_case_insensitive_and_refresh_works(anon_client):
    register(anon_client)
    response = anon_client.post(
        "/api/accounts/token/",
        {"email": "NEW.person@example.com", "password": "a-long-secret-42"},
        format="json",
    )
    assert response.status_code == 200
    tokens = response.json()
    refreshed = anon_client.post(
        "/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert anon_client.get("/api/accounts/me/").json()["email"] == "new.person@example.com"


def test_login_with_wrong_password_answers_401(anon_client, user):
    response = anon_client.post(
        "/api/accounts/token/", {"email": user.email, "password": "wrong"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["error"]


def test_me_without_or_with_bad_token_answers_401(anon_client):
    assert anon_client.get("/api/accounts/me/").status_code == 401
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = anon_client.get("/api/accounts/me/")
    assert response.status_code == 401
    assert "error" in response.json()


def test_me_returns_the_token_owner(user):
    assert client_for(user).get("/api/accounts/me/").json()["email"] == user.email

"""The API's tests call it as another system would: with a personal token in the header."""

import pytest
from django.test import Client

from api import tokens


def token_client(user, clinic, *, scope: str = "write") -> Client:
    """A test client that sends a fresh token of `user` in `clinic` with every request."""
    _token, secret = tokens.api_token_create(
        user=user, clinic=clinic, name="test", scope=scope, days=30
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def as_token():
    return token_client

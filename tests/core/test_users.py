from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser

from kansrijk.core.users import actor, signed_in


def test_a_signed_in_user_is_the_actor() -> None:
    user = SimpleNamespace(is_authenticated=True)

    assert signed_in(user)
    assert actor(user) is user


def test_nobody_is_the_actor_of_an_anonymous_user_or_a_command() -> None:
    assert not signed_in(AnonymousUser())
    assert not signed_in(None)
    assert not signed_in(object())  # anything else that is not a user
    assert actor(AnonymousUser()) is None
    assert actor(None) is None

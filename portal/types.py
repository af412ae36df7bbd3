"""Names for annotations that every app shares."""

from django.contrib.auth.models import AnonymousUser, User

# Whoever a request comes from (``request.user``): an account, or the anonymous visitor.
# Services that act for someone take a ``User``; selectors that answer "what may this
# visitor see" take an ``AnyUser`` and check ``is_authenticated`` first.
AnyUser = User | AnonymousUser

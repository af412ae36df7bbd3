"""django-allauth adapter: accounts exist by invitation only."""

from django.conf import settings

from allauth.account.adapter import DefaultAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.PORTAL_OPEN_SIGNUP

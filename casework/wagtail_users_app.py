"""Wagtail's users app with casework-aware user screens (casework/wagtail_users.py).

A module of its own: INSTALLED_APPS imports it before the models are ready, so it may
import nothing that touches a model.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class CaseworkUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "casework.wagtail_users.CaseworkAwareUserViewSet"

"""ZVH roles as Django groups, and the permissions each holds.

The data migration ``0003_roles`` creates the groups from ROLE_PERMISSIONS;
``ensure_roles`` can be called again after changing this table.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission

PROCESREGISSEUR = "Procesregisseur"
PROCESONDERSTEUNER = "Procesondersteuner"
MANAGER = "Manager"
PRIVACY_OFFICER = "Privacy officer"
FUNCTIONEEL_BEHEER = "Functioneel beheer"

# (app_label, codename)
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    PROCESREGISSEUR: [
        ("casework", "triage_case"),
        ("casework", "break_glass"),
        ("casework", "log_advice"),
        ("casework", "view_overdue"),
        ("casework", "export_case"),
    ],
    PROCESONDERSTEUNER: [
        ("casework", "log_advice"),
        ("casework", "view_overdue"),
        ("casework", "invite_user"),
    ],
    MANAGER: [
        ("casework", "view_all_cases"),
        ("casework", "view_overdue"),
        ("casework", "export_case"),
        # The annual report and the prognoses live in the Wagtail admin.
        ("wagtailadmin", "access_admin"),
        ("casework", "add_prognosis"),
        ("casework", "change_prognosis"),
        ("casework", "delete_prognosis"),
        ("casework", "view_prognosis"),
    ],
    PRIVACY_OFFICER: [
        ("casework", "view_audit"),
        ("casework", "approve_destruction"),
    ],
    FUNCTIONEEL_BEHEER: [
        ("casework", "invite_user"),
        ("casework", "import_cases"),
        ("casework", "add_partnerorganisation"),
        ("casework", "change_partnerorganisation"),
        ("casework", "view_partnerorganisation"),
        ("casework", "add_relatiebeheer"),
        ("casework", "change_relatiebeheer"),
        ("casework", "delete_relatiebeheer"),
        ("casework", "view_relatiebeheer"),
        ("wagtailadmin", "access_admin"),
    ],
}

STAFF_ROLES = tuple(ROLE_PERMISSIONS)

# Not a group: membership of a partner organisation, given by an invitation.
PARTNER_USER = "Partner user"


@dataclass(frozen=True)
class GrantRule:
    """Who may give a role. Holders of a role in ``grant`` give it at once; holders of
    a role in ``request`` ask for it, and it becomes effective only when someone holding
    a role in ``approve`` agrees (four eyes: never the requester, never the person who
    would get it). Anyone in any of the three may take the role away again."""

    grant: frozenset[str] = frozenset()
    request: frozenset[str] = frozenset()
    approve: frozenset[str] = frozenset()

    @property
    def needs_approval(self) -> bool:
        return bool(self.approve)


_FOUR_EYES = GrantRule(
    request=frozenset({FUNCTIONEEL_BEHEER}), approve=frozenset({MANAGER, PRIVACY_OFFICER})
)

# The one table of who may give which role (docs/security-casework.md, "Who can grant
# what"); casework.services.role_grants enforces it. Roles that reach case data
# (Manager: every case; Procesregisseur: any case by break-the-glass, and exports),
# the audit log (Privacy officer) or accounts and roles (Functioneel beheer) need a
# second person: functioneel beheer asks, a manager or a privacy officer decides.
# Nobody gives a role to themselves. Superuser status counts for nothing here.
GRANT_RULES: dict[str, GrantRule] = {
    PARTNER_USER: GrantRule(grant=frozenset({PROCESONDERSTEUNER, FUNCTIONEEL_BEHEER})),
    PROCESONDERSTEUNER: GrantRule(grant=frozenset({FUNCTIONEEL_BEHEER})),
    PROCESREGISSEUR: _FOUR_EYES,
    FUNCTIONEEL_BEHEER: _FOUR_EYES,
    MANAGER: _FOUR_EYES,
    PRIVACY_OFFICER: _FOUR_EYES,
}

FOUR_EYES_ROLES = tuple(role for role in STAFF_ROLES if GRANT_RULES[role].needs_approval)


def ensure_roles(group_model=Group, permission_model=Permission) -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for app_label, codename in perms:
            perm = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


def is_staff_member(user) -> bool:
    """ZVH staff: anyone holding one of the role groups."""
    if not user.is_authenticated:
        return False
    return user.groups.filter(name__in=STAFF_ROLES).exists()


def has_role_perm(user, codename: str) -> bool:
    """A casework permission held through a role, never implied by superuser status:
    a technical administrator does not see case data."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.groups.filter(
            permissions__codename=codename, permissions__content_type__app_label="casework"
        ).exists()
        or user.user_permissions.filter(
            codename=codename, content_type__app_label="casework"
        ).exists()
    )


def held_roles(user) -> frozenset[str]:
    """The ZVH roles an active, signed-in user holds (none for anyone else)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(user.groups.filter(name__in=STAFF_ROLES).values_list("name", flat=True))


def may_grant(user, role: str) -> bool:
    """May give ``role`` at once, without a second person."""
    return bool(held_roles(user) & GRANT_RULES[role].grant)


def may_request(user, role: str) -> bool:
    """May ask for ``role`` (given once a second person approves)."""
    return bool(held_roles(user) & GRANT_RULES[role].request)


def may_approve(user, role: str) -> bool:
    """May approve or reject a request for ``role`` (not their own, not for themselves:
    the service checks that)."""
    return bool(held_roles(user) & GRANT_RULES[role].approve)


def roles_approvable_by(user) -> frozenset[str]:
    """Every role ``user`` may approve or reject a request for (one query)."""
    held = held_roles(user)
    return frozenset(role for role, rule in GRANT_RULES.items() if held & rule.approve)


def may_revoke(user, role: str) -> bool:
    rule = GRANT_RULES[role]
    return bool(held_roles(user) & (rule.grant | rule.request | rule.approve))


def roles_offered_to(user) -> list[str]:
    """The ZVH roles ``user`` may give or ask for, in the table's order (the invitation form)."""
    return [role for role in STAFF_ROLES if may_grant(user, role) or may_request(user, role)]


def may_review_role_requests(user) -> bool:
    """Sees the role requests page: whoever may ask for or decide on a four-eyes role."""
    return any(may_request(user, role) or may_approve(user, role) for role in FOUR_EYES_ROLES)

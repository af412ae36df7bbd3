"""ZVH roles as Django groups, and the permissions each holds.

The data migration ``0003_roles`` creates the groups from ROLE_PERMISSIONS;
``ensure_roles`` can be called again after changing this table.
"""

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

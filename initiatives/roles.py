"""The two staff roles, as Django groups with their permissions.

Coalition editor: create and edit initiatives, organizations and contacts, see registrations;
no deleting initiatives, no user management. Coalition administrator: every permission.
"""

EDITOR = "Coalition editor"
ADMINISTRATOR = "Coalition administrator"
ROLES = {"editor": EDITOR, "administrator": ADMINISTRATOR}

EDITOR_PERMISSIONS = [
    *(
        f"{action}_{model}"
        for model in ("initiative", "organization", "contact")
        for action in ("add", "change", "view")
    ),
    *(
        f"view_{model}"
        for model in (
            "workinggroup",
            "subworkinggroup",
            "registration",
            "registrationitem",
            "outboundemail",
            "historicalinitiative",
            "historicalorganization",
            "historicalcontact",
        )
    ),
]


def sync_roles(Group, Permission) -> None:
    """Create or update both groups. Safe to run again (after every migration)."""
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(
        Permission.objects.filter(
            content_type__app_label="initiatives", codename__in=EDITOR_PERMISSIONS
        )
    )
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(Permission.objects.all())


def sync_roles_after_migrate(sender, **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    sync_roles(Group, Permission)

"""The two staff roles, as Django groups with their permissions.

Coalition editor: create and edit initiatives, organizations and contacts, see registrations
and alert subscriptions; no deleting initiatives, no user management. Coalition administrator:
every permission.
"""

from django.db.models import Q

EDITOR = "Coalition editor"
ADMINISTRATOR = "Coalition administrator"
ROLES = {"editor": EDITOR, "administrator": ADMINISTRATOR}

# As ``user.has_perm`` names them: "app_label.codename".
EDITOR_PERMISSIONS = [
    *(
        f"initiatives.{action}_{model}"
        for model in ("initiative", "organization", "contact")
        for action in ("add", "change", "view")
    ),
    *(
        f"initiatives.view_{model}"
        for model in (
            "workinggroup",
            "subworkinggroup",
            "historicalinitiative",
            "historicalorganization",
            "historicalcontact",
        )
    ),
    *(
        f"registrations.view_{model}"
        for model in ("registration", "registrationitem", "outboundemail")
    ),
    *(f"alerts.view_{model}" for model in ("subscription", "subscriptionemail", "alertedchange")),
]


def permissions_named(Permission, names: list[str]):
    """The permissions with these "app_label.codename" names."""
    wanted = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(wanted)


def sync_roles(Group, Permission) -> None:
    """Create or update both groups. Safe to run again (after every migration)."""
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(permissions_named(Permission, EDITOR_PERMISSIONS))
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(Permission.objects.all())


def sync_roles_after_migrate(sender, **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    sync_roles(Group, Permission)

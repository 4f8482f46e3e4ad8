# The registration models' content types follow them from the ``initiatives`` app label to
# ``registrations``. Renaming the rows keeps their ids, so every permission on them, the groups
# and users that hold those permissions, and the admin's log entries stay as they were; without
# this, post_migrate would create a second set of content types and permissions under
# ``registrations`` that no group holds.
#
# If both labels already have a row for a model (post_migrate ran with this code before this
# migration did), the old row is folded into the new one: its permissions' holders are given the
# matching new permission and its log entries are moved over, then it is deleted.

from django.conf import settings
from django.contrib.contenttypes.models import ContentType as CurrentContentType
from django.db import migrations

MODELS = ["registration", "registrationitem", "outboundemail", "ratelimitcounter"]


def move_content_types(apps, schema_editor, old_label: str, new_label: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    content_types = ContentType.objects.using(db)
    for model in MODELS:
        old = content_types.filter(app_label=old_label, model=model).first()
        if old is None:
            continue  # a new database: post_migrate creates it under the new label
        new = content_types.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
        else:
            fold(apps, db, old, new)
    # Cached content types are looked up by label: drop what this process cached.
    CurrentContentType.objects.clear_cache()


def fold(apps, db: str, old, new) -> None:
    """Give whoever held a permission on ``old`` the same permission on ``new``; delete ``old``."""
    Permission = apps.get_model("auth", "Permission")
    GroupPermission = apps.get_model("auth", "Group").permissions.through
    UserPermission = apps.get_model(settings.AUTH_USER_MODEL).user_permissions.through
    LogEntry = apps.get_model("admin", "LogEntry")
    for permission in Permission.objects.using(db).filter(content_type=old):
        kept = (
            Permission.objects.using(db)
            .filter(content_type=new, codename=permission.codename)
            .first()
        )
        if kept is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        GroupPermission.objects.using(db).bulk_create(
            [
                GroupPermission(group_id=group_id, permission_id=kept.pk)
                for group_id in GroupPermission.objects.using(db)
                .filter(permission_id=permission.pk)
                .values_list("group_id", flat=True)
            ],
            ignore_conflicts=True,
        )
        UserPermission.objects.using(db).bulk_create(
            [
                UserPermission(user_id=user_id, permission_id=kept.pk)
                for user_id in UserPermission.objects.using(db)
                .filter(permission_id=permission.pk)
                .values_list("user_id", flat=True)
            ],
            ignore_conflicts=True,
        )
        permission.delete()
    LogEntry.objects.using(db).filter(content_type=old).update(content_type=new)
    old.delete()


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "initiatives", "registrations")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "registrations", "initiatives")


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0001_initial"),
        ("initiatives", "0015_move_registrations_to_their_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

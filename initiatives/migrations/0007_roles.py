# The staff roles (see initiatives/roles.py). Permissions are normally created after all
# migrations have run, so they are created here first; a post_migrate hook keeps them in step.

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from initiatives.roles import sync_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    from initiatives.roles import ADMINISTRATOR, EDITOR

    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, ADMINISTRATOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0006_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

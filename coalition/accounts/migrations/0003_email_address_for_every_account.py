"""Give every account allauth's record of its address, which `create_user` now makes with the account: before, the
email page wrote it the first time it was opened, and no GET request may write (issue 19)."""

from django.db import migrations


def add_missing(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", "email"))
    with_primary = set(EmailAddress.objects.filter(primary=True).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=pk, email=email, primary=pk not in with_primary, verified=False)
        for pk, email in User.objects.values_list("pk", "email")
        if (pk, email) not in known
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_encrypt_mfa_secrets"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(add_missing, migrations.RunPython.noop)]

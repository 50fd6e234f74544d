"""The audit log's page read from an index in its order (newest first, then by id), for
the whole clinic and filtered to one client or one action; they replace the indexes on
(clinic, -at) and (client, -at), which left the sort by id to do over every event."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_revoke_use_refused_actions'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_audit_clinic__689622_idx',
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_audit_client__d3bf4c_idx',
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['clinic', '-at', '-id'], name='audit_list'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['clinic', 'client', '-at', '-id'], name='audit_list_of_client'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['clinic', 'action', '-at', '-id'], name='audit_list_of_action'),
        ),
    ]

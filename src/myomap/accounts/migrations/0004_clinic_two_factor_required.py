from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_login_failure'),
    ]

    operations = [
        migrations.AddField(
            model_name='clinic',
            name='two_factor_required',
            field=models.BooleanField(default=False, verbose_name='two-factor sign-in required'),
        ),
    ]

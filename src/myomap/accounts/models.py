from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in. Our own model from the start, so roles and clinics can be
    added later without the swap-the-user-model migration Django warns against."""

    class Meta:
        db_table = "accounts_user"

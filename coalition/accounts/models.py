"""Accounts: email sign-in, the sessions a person can see and end, and hashed API tokens for service accounts.

An account carries no role flag: what it may do comes from its person's current positions (accounts.roles)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core import policy


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An account needs an email address")
        from allauth.account.models import EmailAddress  # allauth's models load after ours

        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        # allauth's own record of the address, made with the account: without it, the email page wrote it when
        # first opened, and no GET request may write (issue 19).
        EmailAddress.objects.using(self._db).get_or_create(user=user, email=user.email, defaults={"primary": True})
        return user


class User(AbstractBaseUser):
    email = models.EmailField(_("email"), unique=True)
    person = models.OneToOneField(
        "directory.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_service_account = models.BooleanField(_("service account"), default=False)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.person.full_name if self.person_id and self.person else self.email

    @property
    def time_zone(self) -> str:
        return self.person.time_zone if self.person_id and self.person else "UTC"

    # The admin asks these; the access policy answers (Support Unit only). No per-model permission flags.
    @property
    def is_staff(self) -> bool:
        return policy.can(self, "admin.use")

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return self.is_active and policy.can(self, "admin.use")

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        return all(self.has_perm(p, obj) for p in perms)

    def has_module_perms(self, app_label: str) -> bool:
        return self.has_perm(app_label)


class UserSession(models.Model):
    """A signed-in browser session, so its owner can see it and end it, and the Support Unit can end them all."""

    session_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ServiceToken(models.Model):
    """An API token for a service account. Only its hash is stored; the token is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def note_use(self) -> None:
        """Note that the token was just used, in the cache: a GET request writes no row (issue 19)."""
        cache.set(f"service-token-used:{self.pk}", timezone.now(), timeout=None)

    @property
    def last_used(self) -> datetime | None:
        """When the token was last used: the cache's note, or the stored time if the cache has none (older tokens)."""
        noted: datetime | None = cache.get(f"service-token-used:{self.pk}")
        return noted or self.last_used_at

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ServiceToken, str]:
        raw = "coal_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[5:13], token_hash=hash_token(raw))
        return token, raw

"""Personas and test-only settings shared by the whole suite.

Personas: ``rep`` (sales rep on team North), ``teammate`` (another rep on North),
``other_team_rep`` (a rep on team South), ``manager``, ``admin_user``, plus one user per
other role and ``no_role`` (signed in, but without a role).
"""

from __future__ import annotations

import tempfile

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from crm import celery_app
from crm.accounts.roles import Role
from tests.factories import CustomerFactory, TeamFactory, user_with_role


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.AXES_ENABLED = True
    # A cache of each test process's own, emptied before every test (see ``_empty_cache``),
    # with the shared counts and dropdowns on, so that every test goes through them.
    local_memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {**settings.CACHES, "default": local_memory}
    settings.CRM_SHARED_CACHE = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # as with Redis
    # Uploaded files (ticket attachments, imports) go to a throw-away folder, not var/.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="crm-test-media-")
    # Tasks run in-process, for real, and raise their errors (not mocked).
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rows of one test are rolled back, but what was cached about them would stay.
    cache.clear()
    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def north(db):
    return TeamFactory(name="North")


@pytest.fixture
def south(db):
    return TeamFactory(name="South")


@pytest.fixture
def rep(north):
    return user_with_role(Role.SALES_REP, team=north, username="rep")


@pytest.fixture
def teammate(north):
    return user_with_role(Role.SALES_REP, team=north, username="teammate")


@pytest.fixture
def other_team_rep(south):
    return user_with_role(Role.SALES_REP, team=south, username="other_rep")


@pytest.fixture
def manager(db):
    return user_with_role(Role.MANAGER, username="manager")


@pytest.fixture
def admin_user(db):
    return user_with_role(Role.ADMIN, username="admin_role")


@pytest.fixture
def telemarketer(north):
    return user_with_role(Role.TELEMARKETER, team=north, username="telemarketer")


@pytest.fixture
def marketer(db):
    return user_with_role(Role.MARKETING, username="marketer")


@pytest.fixture
def accountant(db):
    return user_with_role(Role.ACCOUNTING, username="accountant")


@pytest.fixture
def service_agent(south):
    return user_with_role(Role.SERVICE_AGENT, team=south, username="agent")


@pytest.fixture
def no_role(db):
    from tests.factories import UserFactory

    return UserFactory(username="norole")


@pytest.fixture
def customer(rep):
    """A customer owned by ``rep`` on team North."""
    return CustomerFactory(owner=rep, legal_name="Distribuidora Andina S.A.S.", tax_id="900123456-8")


@pytest.fixture
def persona(request, db):
    """Resolve a persona fixture by name, for role × page matrices.

    ``db`` is named so pytest-django sees a database test and runs it before the
    transactional (browser) tests, whose clean-up empties the tables.
    """
    return request.getfixturevalue(request.param)


@pytest.fixture
def rep_client(client, rep):
    """A browser session signed in as ``rep``."""
    client.force_login(rep)
    return client

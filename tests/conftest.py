"""The fixed cast every view test uses: staff of the owning unit (สำนักพัฒนาสังคม), staff of
another unit (a district office), a director of the owning unit, a planning officer, an admin,
and anonymous (the plain `client`)."""

import pytest
from django.core.cache import cache
from django.utils import translation

from indicators.reference import reference_load
from projects.models import DistrictGroup, OrgUnit, User
from tests import factories


@pytest.fixture(autouse=True)
def thai_by_default():
    """Every test starts in Thai. LocaleMiddleware activates a request's language on the
    thread and leaves it there, so a test that browsed in English would leak into the next."""
    translation.activate("th")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Pages are cached as in production, and nothing cached by an earlier test is seen by the
    next: a rolled-back test gives its primary keys and revisions back (SQLite reuses them),
    so a later test's rows could carry the same key with other contents."""
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of the test's own, never to the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reference_data(db):
    """The reference data of fixtures/reference/ (units, the 20-year plan, the evaluation
    dimensions), loaded as `make run` does; for the tests that need it, not every test."""
    return reference_load()


@pytest.fixture
def social_dept(db):
    return factories.make_unit(code="24000000", name="สำนักพัฒนาสังคม")


@pytest.fixture
def social_division(social_dept):
    return factories.make_unit(
        code="24040000", name="สำนักงานการส่งเสริมอาชีพ", kind=OrgUnit.Kind.DIVISION, parent=social_dept
    )


@pytest.fixture
def district_office(db):
    # 50240000 is ราษฎร์บูรณะ's real code (fixtures/reference/README.md): a real code, its own name.
    return factories.make_unit(
        code="50240000",
        name="สำนักงานเขตราษฎร์บูรณะ",
        kind=OrgUnit.Kind.DISTRICT,
        district_group=DistrictGroup.THON_SOUTH,
    )


@pytest.fixture
def planning_office(db):
    return factories.make_unit(code="11000000", name="สำนักยุทธศาสตร์และประเมินผล")


@pytest.fixture
def staff(social_dept):
    return factories.make_user("staff", unit=social_dept, role=User.Role.STAFF)


@pytest.fixture
def other_staff(district_office):
    return factories.make_user("other-staff", unit=district_office, role=User.Role.STAFF)


@pytest.fixture
def director(social_dept):
    return factories.make_user("director", unit=social_dept, role=User.Role.DIRECTOR)


@pytest.fixture
def planner(planning_office):
    return factories.make_user("planner", unit=planning_office, role=User.Role.PLANNER)


@pytest.fixture
def admin_user(planning_office):
    return factories.make_user(
        "admin-user", unit=planning_office, role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def project(social_division):
    return factories.make_project(code="24000000-9999", unit=social_division, fiscal_year=2564)


def login(client, user):
    client.force_login(user)
    return client

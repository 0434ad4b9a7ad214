from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from coalition.directory import api as directory_api
from coalition.donors import api as donors_api
from coalition.library import api as library_api
from coalition.meetings import api as meetings_api
from coalition.programme import api as programme_api
from coalition.statements import api as statements_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("countries", directory_api.CountryViewSet, basename="country")
router.register("organisations", directory_api.OrganisationViewSet, basename="organisation")
router.register("offices", directory_api.OfficeViewSet, basename="office")
router.register("bodies", directory_api.BodyViewSet, basename="body")
router.register("people", directory_api.PersonViewSet, basename="person")
router.register("positions", directory_api.PositionViewSet, basename="position")
router.register("chair-terms", directory_api.ChairTermViewSet, basename="chairterm")
router.register("programmes", programme_api.ProgrammeViewSet, basename="programme")
router.register("activities", programme_api.ActivityViewSet, basename="activity")
router.register("updates", programme_api.UpdateViewSet, basename="update")
router.register("evidence", programme_api.EvidenceViewSet, basename="evidence")
router.register("meetings", meetings_api.MeetingViewSet, basename="meeting")
router.register("quarterly-calls", meetings_api.QuarterlyCallViewSet, basename="quarterlycall")
router.register("statements", statements_api.StatementViewSet, basename="statement")
router.register("funding-activities", donors_api.FundingActivityViewSet, basename="funding-activity")
router.register("funding-overlaps", donors_api.OverlapViewSet, basename="funding-overlap")
router.register("library/search", library_api.SearchViewSet, basename="library-search")
router.register(
    r"statements/(?P<slug>[-a-zA-Z0-9_]+)/verification",
    statements_api.VerificationViewSet,
    basename="statement-verification",
)

urlpatterns = [
    path("", include("coalition.core.urls")),
    path("", include("coalition.notifications.urls")),
    path("", include("coalition.directory.urls")),
    path("", include("coalition.accounts.urls")),
    path("", include("coalition.programme.urls")),
    path("", include("coalition.meetings.urls")),
    path("", include("coalition.documents.urls")),
    path("", include("coalition.statements.urls")),
    path("", include("coalition.library.urls")),
    path("", include("coalition.response.urls")),
    path("", include("coalition.donors.urls")),
    path("", include("coalition.ops.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

handler400 = "coalition.core.views.bad_request"
handler403 = "coalition.core.views.permission_denied"
handler404 = "coalition.core.views.not_found"

from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("account/switch/", views.AccountSwitchView.as_view(), name="account-switch"),
    path("partners/", views.PartnerListView.as_view(), name="partner-list"),
    path("partners/new/", views.PartnerFormView.as_view(), name="partner-create"),
    path("partners/<int:pk>/edit/", views.PartnerFormView.as_view(), name="partner-update"),
    path("partners/<int:pk>/agents/", views.AgentListView.as_view(), name="agent-list"),
    path("agents/<int:pk>/", views.AgentDetailView.as_view(), name="agent-detail"),
    path("members/", views.MembersView.as_view(), name="members"),
    path("members/<int:pk>/", views.MembershipUpdateView.as_view(), name="membership-update"),
    path(
        "members/<int:pk>/remove/", views.MembershipRemoveView.as_view(), name="membership-remove"
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"
    ),
    path("settings/account/", views.AccountSettingsView.as_view(), name="account-settings"),
    path("settings/security/", views.SecuritySettingsView.as_view(), name="security"),
    path("settings/api-tokens/", views.ApiTokensView.as_view(), name="api-tokens"),
    path(
        "settings/api-tokens/<str:prefix>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("settings/activity/", views.AuditLogView.as_view(), name="audit-log"),
]

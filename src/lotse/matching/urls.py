from django.urls import path

from lotse.matching import views

app_name = "matching"
urlpatterns = [
    path("bedarf/<slug:key>/", views.need_suggestions, name="need_suggestions"),
    path("angebot/<slug:key>/", views.offer_suggestions, name="offer_suggestions"),
    path("kontakte/", views.my_contacts, name="my_contacts"),
    path("person/<slug:key>/", views.person_suggestions, name="person_suggestions"),
    path("finanzierung/<slug:key>/", views.funding_suggestions, name="funding_suggestions"),
    path(
        "finanzierung/<slug:key>/profil/", views.funding_profile_edit, name="funding_profile_edit"
    ),
    path("anfragen/", views.requests_box, name="requests"),
    path("anfragen/neu/<slug:key>/", views.request_create, name="request_create"),
    path(
        "anfragen/organisation/<slug:key>/",
        views.request_create_for_organisation,
        name="request_create_for_organisation",
    ),
    path("anfragen/<int:pk>/", views.request_detail, name="request_detail"),
    path("anfragen/<int:pk>/annehmen/", views.request_accept, name="request_accept"),
    path("anfragen/<int:pk>/ablehnen/", views.request_decline, name="request_decline"),
    path("anfragen/<int:pk>/blockieren/", views.request_block, name="request_block"),
    path("anfragen/<int:pk>/melden/", views.request_report, name="request_report"),
    path("anfragen/<int:pk>/allianz/", views.alliance_create, name="alliance_create"),
]

from django.urls import path

from lotse.ecosystem.views import directory, editing, manage, members, overview, transfer

app_name = "ecosystem"
urlpatterns = [
    path("organisationen/", directory.organisation_list, name="organisation_list"),
    path("organisationen/neu/", editing.organisation_create, name="organisation_create"),
    path("organisationen/<slug:key>/", directory.organisation_detail, name="organisation_detail"),
    path(
        "organisationen/<slug:key>/bearbeiten/",
        editing.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "organisationen/<slug:key>/bestaetigen/",
        editing.organisation_confirm,
        name="organisation_confirm",
    ),
    path(
        "organisationen/<slug:key>/loeschen/",
        editing.organisation_delete,
        name="organisation_delete",
    ),
    path(
        "organisationen/<slug:key>/angebot-neu/",
        editing.offer_create,
        name="offer_create",
    ),
    path("organisationen/<slug:key>/bedarf-neu/", editing.need_create, name="need_create"),
    path("personen/", directory.person_list, name="person_list"),
    path("personen/<slug:key>/", directory.person_detail, name="person_detail"),
    path("personen/<slug:key>/bearbeiten/", editing.person_edit, name="person_edit"),
    path("angebote/", directory.offer_list, name="offer_list"),
    path("angebote/<slug:key>/", directory.offer_detail, name="offer_detail"),
    path("angebote/<slug:key>/bearbeiten/", editing.offer_edit, name="offer_edit"),
    path("angebote/<slug:key>/loeschen/", editing.offer_delete, name="offer_delete"),
    path("bedarfe/", directory.need_list, name="need_list"),
    path("bedarfe/<slug:key>/", directory.need_detail, name="need_detail"),
    path("bedarfe/<slug:key>/bearbeiten/", editing.need_edit, name="need_edit"),
    path("bedarfe/<slug:key>/loeschen/", editing.need_delete, name="need_delete"),
    path("begriff-vorschlagen/", editing.term_suggest, name="term_suggest"),
    path("ueberblick/", overview.overview, name="overview"),
    path("verwaltung/", manage.manage, name="manage"),
    path("verwaltung/import/", transfer.import_view, name="transfer_import"),
    path("verwaltung/export/", transfer.export_view, name="transfer_export"),
    path(
        "verwaltung/ansprueche/<int:pk>/entscheiden/",
        manage.claim_decide,
        name="manage_claim_decide",
    ),
    path(
        "verwaltung/organisationen/<slug:key>/verifizieren/",
        manage.organisation_verify,
        name="manage_verify",
    ),
    path("verwaltung/begriffe/neu/", manage.term_add, name="manage_term_add"),
    path(
        "verwaltung/begriffe/<int:pk>/entscheiden/",
        manage.term_decide,
        name="manage_term_decide",
    ),
    path(
        "verwaltung/begriffe/<int:pk>/umbenennen/",
        manage.term_rename,
        name="manage_term_rename",
    ),
    path(
        "organisationen/<slug:key>/mitglieder/",
        members.organisation_members,
        name="organisation_members",
    ),
    path(
        "organisationen/<slug:key>/mitglieder/<int:pk>/rolle/",
        members.member_role,
        name="member_role",
    ),
    path(
        "organisationen/<slug:key>/mitglieder/<int:pk>/entfernen/",
        members.member_remove,
        name="member_remove",
    ),
    path(
        "organisationen/<slug:key>/einladungen/<int:pk>/zurueckziehen/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisationen/<slug:key>/beanspruchen/",
        members.organisation_claim,
        name="organisation_claim",
    ),
    path("einladung/<slug:token>/", members.invitation_accept, name="invitation_accept"),
]

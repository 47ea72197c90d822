from django.urls import path

from lotse.events.views import attend, attendance, interop, manage, meetings, programme

app_name = "events"
urlpatterns = [
    path("", programme.event_list, name="event_list"),
    path("neu/", manage.event_create, name="event_create"),
    path("orte/neu/", manage.venue_create, name="venue_create"),
    path("reihen/neu/", manage.series_create, name="series_create"),
    path("agenda/", programme.agenda_page, name="agenda"),
    path("agenda.ics", attend.agenda_ics, name="agenda_ics"),
    path("agenda/feed/<str:token>.ics", attend.agenda_feed, name="agenda_feed"),
    path("agenda/feed-erneuern/", attend.renew_feed, name="renew_feed"),
    path("import/", interop.schedule_import_view, name="schedule_import"),
    path("teilnahmen/", attendance.my_attendance, name="my_attendance"),
    path(
        "teilnahmen/<slug:key>/", attendance.organisation_attendance, name="organisation_attendance"
    ),
    path("reihe/<slug:slug>/", programme.series_detail, name="series_detail"),
    path("referierende/<slug:key>/", programme.speaker_detail, name="speaker_detail"),
    path("<slug:slug>/", programme.event_detail, name="event_detail"),
    path("<slug:slug>/bearbeiten/", manage.event_edit, name="event_edit"),
    path("<slug:slug>/termin.ics", attend.event_ics, name="event_ics"),
    path("<slug:slug>/anmelden/", attend.register, name="register"),
    path("<slug:slug>/abmelden/", attend.cancel, name="cancel"),
    path("<slug:slug>/programm/", programme.programme, name="programme"),
    path("<slug:slug>/programm/neu/", manage.session_create, name="session_create"),
    path("<slug:slug>/raum-neu/", manage.room_add, name="room_add"),
    path("<slug:slug>/programm/hinweise/", manage.warnings_page, name="warnings"),
    path("<slug:slug>/programm/<slug:code>/", programme.session_detail, name="session_detail"),
    path("<slug:slug>/programm/<slug:code>/bearbeiten/", manage.session_edit, name="session_edit"),
    path(
        "<slug:slug>/programm/<slug:code>/loeschen/", manage.session_delete, name="session_delete"
    ),
    path("<slug:slug>/programm/<slug:code>/material/", manage.material_add, name="material_add"),
    path("<slug:slug>/programm/<slug:code>/merken/", attend.star, name="star"),
    path("<slug:slug>/programm/<slug:code>/platz/", attend.session_signup, name="session_signup"),
    path("<slug:slug>/programm/<slug:code>/rueckmeldung/", attend.feedback, name="feedback"),
    path("<slug:slug>/referierende/", programme.speaker_list, name="speaker_list"),
    path("<slug:slug>/anmeldungen/", manage.registration_list, name="registrations"),
    path(
        "<slug:slug>/anmeldungen/<int:pk>/", manage.registration_action, name="registration_action"
    ),
    path("<slug:slug>/anmeldungen/nicht-erschienen/", manage.mark_no_shows, name="mark_no_shows"),
    path("<slug:slug>/einlass/", manage.checkin_list, name="checkin_list"),
    path("<slug:slug>/zahlen/", manage.figures_page, name="figures"),
    path("<slug:slug>/meetings/", meetings.meetings_page, name="meetings"),
    path("<slug:slug>/meetings/planung/", meetings.meetings_admin, name="meetings_admin"),
    path("<slug:slug>/meetings/austreten/", meetings.meeting_opt_out, name="meeting_opt_out"),
    path(
        "<slug:slug>/meetings/anfrage/<int:user_id>/",
        meetings.meeting_request,
        name="meeting_request",
    ),
    path("<slug:slug>/meetings/antwort/<int:pk>/", meetings.meeting_answer, name="meeting_answer"),
    path("<slug:slug>/meetings/wunsch/<int:user_id>/", meetings.meeting_wish, name="meeting_wish"),
    path("<slug:slug>/meetings/<int:pk>/bericht/", meetings.meeting_report, name="meeting_report"),
    path("<slug:slug>/teilnahmen/", attendance.event_attendance, name="attendance_report"),
    path("<slug:slug>/teilnahmebestaetigung.pdf", attendance.attendance_pdf, name="attendance_pdf"),
    path("<slug:slug>/schedule.<str:fmt>", interop.schedule_export_view, name="schedule_export"),
]

from django.urls import path

from pulih.programmes import views

app_name = "programmes"
urlpatterns = [
    # officers and approvers
    path("petugas/program/", views.programme_list, name="programme_list"),
    path("petugas/program/baru/", views.programme_new, name="programme_new"),
    path("petugas/program/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("petugas/program/<int:pk>/ubah/", views.programme_edit, name="programme_edit"),
    path(
        "petugas/program/<int:pk>/versi/<int:number>/",
        views.version_detail,
        name="version_detail",
    ),
    path("petugas/putaran/<int:pk>/", views.round_detail, name="round_detail"),
    path("petugas/putaran/<int:pk>/status/", views.round_transition, name="round_transition"),
    path("petugas/putaran/<int:pk>/pengajuan/", views.application_list, name="application_list"),
    path("petugas/putaran/<int:pk>/ajukan/", views.apply_on_behalf, name="apply_on_behalf"),
    path(
        "petugas/putaran/<int:pk>/dari-impor/",
        views.applications_from_intake,
        name="applications_from_intake",
    ),
    path("petugas/putaran/<int:pk>/kelayakan/", views.eligibility_start, name="eligibility_start"),
    path(
        "petugas/putaran/<int:pk>/kelayakan/<str:task_id>/",
        views.eligibility_progress,
        name="eligibility_progress",
    ),
    path("petugas/putaran/<int:pk>/simulasi/", views.what_if, name="what_if"),
    path("petugas/putaran/<int:pk>/usulkan/", views.decision_propose, name="decision_propose"),
    path("petugas/pengajuan/<int:pk>/", views.application_detail, name="application_detail"),
    path("petugas/penetapan/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("petugas/penetapan/<int:pk>/setujui/", views.decision_approve, name="decision_approve"),
    path("petugas/penetapan/<int:pk>/kembalikan/", views.decision_return, name="decision_return"),
    path(
        "petugas/penetapan/<int:pk>/lampiran.<str:kind>",
        views.annex_download,
        name="annex_download",
    ),
    path("petugas/sanggahan/", views.appeal_queue, name="appeal_queue"),
    path("petugas/sanggahan/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("sanggahan/<int:pk>/bukti/", views.appeal_evidence, name="appeal_evidence"),
    # business owners
    path("bantuan/", views.owner_home, name="owner_home"),
    path("bantuan/putaran/<int:pk>/ajukan/", views.owner_apply, name="owner_apply"),
    path("bantuan/pengajuan/<int:pk>/", views.owner_application, name="owner_application"),
    path("bantuan/pengajuan/<int:pk>/sanggah/", views.owner_appeal, name="owner_appeal"),
]

"""URLs of the disbursement screens (Indonesian paths, like the rest of the officer UI)."""

from django.urls import path

from pulih.payments import views

app_name = "payments"
urlpatterns = [
    path("putaran/<int:round_id>/penyaluran/", views.batch_list, name="batch_list"),
    path("putaran/<int:round_id>/penyaluran/buat/", views.batch_confirm, name="batch_confirm"),
    path("putaran/<int:round_id>/penyaluran/pembayaran/", views.payment_list, name="payment_list"),
    path("penyaluran/batch/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("penyaluran/batch/<int:pk>/berkas.<str:file_format>", views.batch_file, name="batch_file"),
    path("penyaluran/batch/<int:pk>/batal/", views.batch_cancel, name="batch_cancel"),
    path("penyaluran/balikan/<int:pk>/", views.import_detail, name="import_detail"),
    path("penyaluran/balikan/<int:pk>/ditolak.xlsx", views.import_report, name="import_report"),
    path("penyaluran/balikan/<int:pk>/ulang/", views.import_resume, name="import_resume"),
    path("penyaluran/pembayaran/<int:pk>/perbaikan/", views.payment_fix, name="payment_fix"),
    path("putaran/<int:round_id>/serah-terima/", views.handover_list, name="handover_list"),
    path(
        "putaran/<int:round_id>/serah-terima/daftar-<str:district>.xlsx",
        views.distribution_list,
        name="distribution_list",
    ),
    path("serah-terima/<int:pk>/catat/", views.handover_record, name="handover_record"),
    path("serah-terima/<int:pk>/foto.jpg", views.handover_photo, name="handover_photo"),
]

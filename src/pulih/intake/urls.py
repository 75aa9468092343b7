from django.urls import path

from pulih.intake import views

app_name = "intake"
urlpatterns = [
    path("petugas/impor/", views.job_list, name="job_list"),
    path("petugas/impor/<int:pk>/", views.job_detail, name="job_detail"),
    path("petugas/impor/<int:pk>/kolom/", views.job_mapping, name="job_mapping"),
    path("petugas/impor/<int:pk>/lembar/", views.job_sheet, name="job_sheet"),
    path("petugas/impor/<int:pk>/lanjutkan/", views.job_resume, name="job_resume"),
    path("petugas/impor/<int:pk>/laporan.xlsx", views.job_report, name="job_report"),
    path("petugas/usulan-perubahan/", views.change_list, name="change_list"),
    path("petugas/usulan-perubahan/<int:pk>/", views.change_decide, name="change_decide"),
]

from django.urls import path

from pulih.linkage import views

app_name = "linkage"
urlpatterns = [
    path("petugas/identitas/", views.candidate_list, name="candidate_list"),
    path("petugas/identitas/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("petugas/identitas/cari-ganda/", views.dedupe_start, name="dedupe_start"),
    path("petugas/daftar-saring/", views.list_index, name="list_index"),
    path("petugas/daftar-saring/saring-ulang/", views.rescreen_start, name="rescreen_start"),
]

from django.urls import path

from pulih.registry import views

app_name = "registry"
urlpatterns = [
    path("usaha/", views.owner_home, name="owner_home"),
    path("usaha/data-diri/", views.person_edit, name="person_edit"),
    path("usaha/baru/", views.business_create, name="business_create"),
    path("usaha/<int:pk>/", views.business_detail, name="business_detail"),
    path("usaha/<int:pk>/ubah/", views.business_edit, name="business_edit"),
    path("usaha/<int:pk>/produk/", views.business_products, name="business_products"),
    path("usaha/<int:pk>/ajukan/", views.business_submit, name="business_submit"),
    path("produk/<int:pk>/hapus/", views.product_delete, name="product_delete"),
    path("petugas/antrian/", views.queue, name="queue"),
    path("petugas/usaha/<int:pk>/keputusan/", views.business_decide, name="business_decide"),
    path("petugas/orang/<int:pk>/nik/", views.person_reveal_nik, name="person_reveal_nik"),
]

from django.urls import path

from pulih.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.SignInView.as_view(), name="login"),
    path("keluar/", views.SignOutView.as_view(), name="logout"),
    path("daftar-akun/", views.signup, name="signup"),
    path("wilayah/pilihan/", views.region_options, name="region_options"),
]

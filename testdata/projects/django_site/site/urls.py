from django.urls import include, path

from shop import views
from shop.api import webhook

urlpatterns = [
    path("", views.index),
    path("archive/", views.ArchiveView.as_view()),
    path("products/<int:pk>/", views.ProductView.as_view()),
    path("hooks/", webhook),
    path("admin/", include("shop.admin_urls")),
]

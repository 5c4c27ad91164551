from django.urls import path

from . import views

urlpatterns = [
    path("rates/<int:pk>/", views.rates),
    path("rates/<int:pk>/twin/", views.rates_twin),
    path("orders/", views.create_order),
    path("orders/twin/", views.create_order_twin),
    path("reports/<slug:name>/", views.ReportView.as_view()),
    path("reports/<slug:name>/twin/", views.ReportTwinView.as_view()),
    path("flush/", views.flush),
    path("flush/twin/", views.flush_twin),
]

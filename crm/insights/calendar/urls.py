from django.urls import path

from crm.insights.calendar import views

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("address/", views.feed_address, name="calendar_feed_address"),
    path("<slug:token>.ics", views.feed, name="calendar_feed"),
]

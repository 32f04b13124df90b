from service.views import attachments, feedback, satisfaction, tickets

app_name = "service"
urlpatterns = [
    *tickets.urlpatterns,
    *attachments.urlpatterns,
    *satisfaction.urlpatterns,
    *feedback.urlpatterns,
]

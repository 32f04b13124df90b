from service.views import attachments, satisfaction, tickets

app_name = "service"
urlpatterns = [*tickets.urlpatterns, *attachments.urlpatterns, *satisfaction.urlpatterns]

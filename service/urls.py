from service.views import attachments, tickets

app_name = "service"
urlpatterns = [*tickets.urlpatterns, *attachments.urlpatterns]

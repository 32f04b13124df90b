from service.views import tickets

app_name = "service"
urlpatterns = [*tickets.urlpatterns]

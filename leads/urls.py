from leads.views import capture, telemarketing

app_name = "leads"
# Each area declares its own routes next to its views.
urlpatterns = [*telemarketing.urlpatterns, *capture.urlpatterns]

from marketing.views import campaigns, mailings, segments

app_name = "marketing"
# Each area declares its own routes next to its views.
urlpatterns = [*campaigns.urlpatterns, *segments.urlpatterns, *mailings.urlpatterns]

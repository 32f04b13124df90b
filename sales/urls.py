from sales.views import catalog, conversion, forecast, pipeline, quotes

app_name = "sales"
# Each area of the sales department declares its own routes next to its views.
urlpatterns = [*catalog.urlpatterns, *pipeline.urlpatterns, *quotes.urlpatterns, *forecast.urlpatterns]
urlpatterns += conversion.urlpatterns

from accounting.views import imports, invoices, orders

app_name = "accounting"
urlpatterns = [*orders.urlpatterns, *invoices.urlpatterns, *imports.urlpatterns]

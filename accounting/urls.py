from accounting.views import invoices, orders

app_name = "accounting"
urlpatterns = [*orders.urlpatterns, *invoices.urlpatterns]

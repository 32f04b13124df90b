"""Catalogue pages, and the installed-base checklist of a customer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from contacts.models import Customer
from crm.accounts.permissions import role_required
from sales.forms.catalog import InstalledBaseForm, ProductFilter, ProductForm
from sales.models import Product
from sales.panels import InstalledBasePanel
from sales.services import catalog as services


@role_required()
def product_list(request):
    filterset = ProductFilter(request.GET or None, queryset=Product.objects.order_by("name", "pk"))
    page_obj = Paginator(filterset.qs, settings.CRM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "can_edit": services.can_edit_catalog(request.user),
    }
    template = "sales/product_list.html#results" if request.htmx else "sales/product_list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _save(request, form: ProductForm, *, message: str):
    try:
        product = services.save_product(product=form.save(commit=False), by=request.user)
    except IntegrityError:
        # Someone saved the same code between our check and our save.
        form.add_error("code", _("A product with this code already exists."))
        return None
    messages.success(request, message % {"name": product.name})
    return redirect("sales:product_list")


@role_required(*services.CATALOG_EDITORS)
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, message=_("Product %(name)s added to the catalogue."))
        if response:
            return response
    return render(request, "sales/product_form.html", {"form": form})


@role_required(*services.CATALOG_EDITORS)
def product_update(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, message=_("Product %(name)s saved."))
        if response:
            return response
    return render(request, "sales/product_form.html", {"form": form, "product": product})


@role_required(*services.INSTALLED_BASE_EDITORS)
def installed_base(request, pk: int):
    """The checklist of products owned: a page of its own, or swapped into the customer page's panel."""
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    form = InstalledBaseForm(
        request.POST or None,
        products=list(Product.objects.for_checklist(customer.pk)),
        installed=list(customer.installed_products.all()),
    )
    if request.method == "POST" and form.is_valid():
        services.set_installed_base(customer=customer, items=form.items(), by=request.user)
        if request.htmx:
            panel = InstalledBasePanel()
            return render(request, panel.template_name, {"panel": panel.get_context(request, customer)})
        messages.success(request, _("Products owned saved."))
        return redirect(customer)
    context = {"customer": customer, "form": form}
    # Errors come back with 200 so that htmx swaps the form, messages included, into the panel.
    template = "sales/installed_base.html#form" if request.htmx else "sales/installed_base.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


urlpatterns = [
    path("products/", product_list, name="product_list"),
    path("products/new/", product_create, name="product_create"),
    path("products/<int:pk>/edit/", product_update, name="product_update"),
    path("customers/<int:pk>/installed-base/", installed_base, name="installed_base"),
]

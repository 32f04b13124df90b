from sales.models.catalog import InstalledProduct, Product
from sales.models.pipeline import LostReason, Opportunity, Stage, StageChange
from sales.models.quotes import Quote, QuoteLine, SalesSettings

__all__ = [
    "InstalledProduct",
    "LostReason",
    "Opportunity",
    "Product",
    "Quote",
    "QuoteLine",
    "SalesSettings",
    "Stage",
    "StageChange",
]

"""Follow-up rules: rules kept as data, a daily job that fires each once per customer and period,
and the managers' page of customers overdue for their follow-up."""

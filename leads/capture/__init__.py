"""Lead capture: purchased-list and trade-show CSV imports, the public web form, and lead distribution."""

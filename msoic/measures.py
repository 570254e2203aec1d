"""The measures of the monthly cube (`agg_monthly`), with the labels the pages show."""

# Column in agg_monthly -> label. Order is the order of the Overview KPI row.
MEASURES: dict[str, str] = {
    "live_ops": "Live operations",
    "new_ops": "New operations",
    "victims": "Victims identified",
    "child_victims": "Child victims",
    "nrm_referrals": "NRM referrals",
    "arrests": "Arrests",
    "charges": "Charges",
}

# Short headings for tables with a column per measure (the label goes in the heading's help).
SHORT_LABELS: dict[str, str] = {
    "live_ops": "Live",
    "new_ops": "New",
    "victims": "Victims",
    "child_victims": "Children",
    "nrm_referrals": "NRM",
    "arrests": "Arrests",
    "charges": "Charges",
}

# Live operations is a stock (how many are open in a month); the rest are flows (events in a month).
STOCKS = frozenset({"live_ops"})

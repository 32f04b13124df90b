"""RFM value scoring: rules, the set-based scoring job, its reports and its CSV export."""

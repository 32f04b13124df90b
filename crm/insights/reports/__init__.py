"""Reports: sales, forecast accuracy, activity and pipeline, each a set of SQL aggregates.

Every report reads its filters (period, rep, team, campaign, product as they apply) through
``filters.ReportFilterForm``, narrows its records to what the viewer may see
(``scope.Scope``), and answers ``tables.Table`` objects: the page, its chart, the CSV and
XLSX exports and the drill-down to the records behind each figure all come from those.
"""

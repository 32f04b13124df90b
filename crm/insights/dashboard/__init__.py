"""The home dashboard: cards each role starts with, chosen and ordered by each person."""
